import { environmentAt } from '../../config/repo-config.ts';
import type { Finding } from '../../core/finding.ts';
import { deepEqual, isObject, type JsonObject, type JsonValue } from '../../core/json.ts';
import { othersFields, scaledElsewhere, type OwnedField } from '../../kube/field-owners.ts';
import type { Rule } from './rule.ts';

/** Objects named in the finding, at most; fields named per object, at most. */
const OBJECTS_NAMED = 10;
const FIELDS_NAMED = 3;
/** A value is quoted up to this many characters. */
const VALUE_CHARS = 60;

/**
 * What a chart upgrade takes back in the cluster: fields of the release's objects that someone other than helm
 * set since helm wrote them (`kubectl edit`, `kubectl set image`, `kubectl scale`), to values other than the
 * chart's. helm writes the rendered manifest over them (helm 3's three-way merge patch sets every field the
 * manifest has; helm 4's server-side apply forces them), and the plan, which diffs the rendered manifest
 * against the release's stored one, would not show it. Read from the live objects' managedFields
 * (field-owners.ts), so only fields the chart sets count, and a controller's own writes (status, a webhook's
 * caBundle the chart leaves out) do not. A warning: the upgrade may be meant to undo a hand fix; to keep one,
 * it belongs in values.yaml. When the objects could not be read, a notice says the plan could not check.
 */
export const chartLiveChangesRule: Rule = {
  name: 'chart-live-changes',
  check({ chart, desired, environment, live }) {
    if (!chart?.ok || !chart.liveObjects) return [];
    const release = live.helmRelease;
    const at = desired.values && release && chart.chartVersion === release.chartVersion ? { file: desired.values.file, line: 1 } : environmentAt(environment, 'chart');
    if (!(chart.liveObjects instanceof Map)) {
      return [{ severity: 'notice', code: 'chart-live-changes', ...at, message: `whether someone changed the chart's objects in the cluster could not be read (${chart.liveObjects.unread}): the plan compares the chart with the release's stored manifest only, and the upgrade writes the chart's values over any change made by hand` }];
    }
    const lines: string[] = [];
    for (const [key, object] of chart.liveObjects) {
      const rendered = chart.rendered.get(key)!;
      const changes = othersFields(object, rendered as unknown as JsonObject, 0);
      if (!changes.some((c) => c.fields.some((f) => f.path === 'spec.replicas'))) {
        const scaled = scaledElsewhere(object, chart.deployed.get(key) as JsonObject | undefined, rendered as unknown as JsonObject);
        if (scaled) changes.push(scaled);
      }
      const secret = rendered.kind === 'Secret';
      const taken = changes.flatMap(({ manager, fields }) => fields.filter((f) => !deepEqual(f.live, f.manifest)).map((f) => describe(f, manager, secret)));
      if (taken.length === 0) continue;
      const namespace = isObject(object['metadata']) && typeof object['metadata']['namespace'] === 'string' ? `${object['metadata']['namespace']}/` : '';
      const more = taken.length > FIELDS_NAMED ? ` and ${taken.length - FIELDS_NAMED} more` : '';
      lines.push(`${rendered.kind} ${namespace}${rendered.metadata.name}: ${taken.slice(0, FIELDS_NAMED).join('; ')}${more}`);
    }
    if (lines.length === 0) return [];
    const more = lines.length > OBJECTS_NAMED ? `; and ${lines.length - OBJECTS_NAMED} more objects` : '';
    const finding: Finding = {
      severity: 'warning',
      code: 'chart-live-changes',
      ...at,
      message: `the chart upgrade writes the chart's values over changes made in the cluster since helm wrote these objects: ${lines.slice(0, OBJECTS_NAMED).join('; ')}${more}. To keep a change, set it in values.yaml; applied as it is, the upgrade takes it back`,
    };
    return [finding];
  },
};

/** `spec.replicas 3 → 1 (set by kubectl-edit)`; a Secret's values are not quoted. */
function describe(field: OwnedField, manager: string, secret: boolean): string {
  const values = secret ? '' : ` ${brief(field.live)} → ${brief(field.manifest)}`;
  return `${field.path}${values} (set by ${manager})`;
}

function brief(value: JsonValue | undefined): string {
  const text = value === undefined ? '(unset)' : JSON.stringify(value);
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS - 1)}…` : text;
}
