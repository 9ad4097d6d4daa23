import { environmentAt } from '../../config/repo-config.ts';
import type { Finding } from '../../core/finding.ts';
import { deepEqual, isObject, type JsonObject } from '../../core/json.ts';
import { othersFields, scaledElsewhere, type OwnedField } from '../../kube/field-owners.ts';
import type { ChartInCluster } from '../../live/live-state.ts';
import type { ChartRender } from '../../plan/plan-types.ts';
import type { PlanContext, Rule } from './rule.ts';
import { refusedValuePlace } from './refused-value-place.ts';
import { valueDifference } from './value-difference.ts';

/** Objects named in the finding, at most; fields named per object, at most. */
const OBJECTS_NAMED = 10;
const FIELDS_NAMED = 3;

/**
 * What the cluster says of a chart upgrade's objects (ChartRender.inCluster): the API server's refusals in its
 * dry run of the objects as the upgrade writes them (`server-rejected`, errors: the apply would fail there and
 * be rolled back; at the values.yaml line that sets the refused value when one line does), and what the upgrade takes back (`chart-live-changes`, below). When the objects could not
 * be read, a notice (`chart-live-changes`) says the plan could check neither.
 */
export const chartInClusterRule: Rule = {
  name: 'chart-in-cluster',
  check(context) {
    const { chart } = context;
    if (!chart?.ok || !chart.inCluster) return [];
    const at = place(context);
    if ('unread' in chart.inCluster) {
      const unchecked = `the plan compares the chart with the release's stored manifest only, the API server did not check the objects as the upgrade writes them, and the upgrade writes the chart's values over any change made by hand`;
      if (chart.inCluster.forbidden) {
        return [{ severity: 'warning', code: 'chart-live-changes', ...at, message: `the chart's objects could not be read or dry-run: RBAC refused (${chart.inCluster.unread}). A chart upgrade reads and writes every object of FSM's release, which deploy/rbac.yaml does not allow: bind deploy/rbac-chart.yaml to the identity fsm-gitops applies with (docs/deploy.md, "Chart upgrades: the opt-in role"), or apply with these credentials fails. Meanwhile ${unchecked}` }];
      }
      return [{ severity: 'notice', code: 'chart-live-changes', ...at, message: `the chart's objects could not be checked in the cluster (${chart.inCluster.unread}): ${unchecked}` }];
    }
    const { inCluster } = chart;
    const rejections: Finding[] = [...inCluster.rejected].map(([key, rejection]) => {
      const object = chart.rendered.get(key)!;
      const namespace = object.metadata.namespace ?? namespaceOf(inCluster.live.get(key));
      const name = `${object.kind} ${namespace ? `${namespace}/` : ''}${object.metadata.name}`;
      const where = context.desired.values ? refusedValuePlace(context.desired.values, rejection.message) : undefined;
      return { severity: 'error', code: 'server-rejected', ...(where ?? at), message: `the API server refuses ${name} as the chart renders it with these values (dry run of the upgrade's write): ${rejection.message}${quantityHint(rejection.message)}` };
    });
    return [...rejections, ...liveChanges(chart, inCluster, at)];
  },
};

/**
 * How to write a quantity, after the API server's refusal of one (k8s.io/apimachinery resource.Quantity:
 * "quantities must match the regular expression ..."), which quotes the expression but gives no example.
 */
function quantityHint(message: string): string {
  return /quantities must match the regular expression/.test(message) ? ' (a quantity is a number with an optional suffix, such as 2, 500m or 1.5 for CPU and 128Mi or 1Gi for memory)' : '';
}

/**
 * What a chart upgrade takes back in the cluster: fields of the release's objects that someone other than helm
 * set since helm wrote them (`kubectl edit`, `kubectl set image`, `kubectl scale`), to values other than the
 * chart's. helm writes the rendered manifest over them (helm 3's three-way merge patch sets every field the
 * manifest has; helm 4's server-side apply forces them), and the plan, which diffs the rendered manifest
 * against the release's stored one, would not show it. Read from the live objects' managedFields
 * (field-owners.ts), so only fields the chart sets count, and a controller's own writes (status, a webhook's
 * caBundle the chart leaves out) do not. A warning: the upgrade may be meant to undo a hand fix; to keep one,
 * it belongs in values.yaml.
 */
function liveChanges(chart: Extract<ChartRender, { ok: true }>, inCluster: ChartInCluster, at: Place): Finding[] {
  const lines: string[] = [];
  for (const [key, object] of inCluster.live) {
    const rendered = chart.rendered.get(key)!;
    const changes = othersFields(object, rendered as unknown as JsonObject, 0);
    if (!changes.some((c) => c.fields.some((f) => f.path === 'spec.replicas'))) {
      const scaled = scaledElsewhere(object, chart.deployed.get(key) as JsonObject | undefined, rendered as unknown as JsonObject);
      if (scaled) changes.push(scaled);
    }
    const secret = rendered.kind === 'Secret';
    const taken = changes.flatMap(({ manager, fields }) => fields.filter((f) => !deepEqual(f.live, f.manifest)).map((f) => describe(f, manager, secret)));
    if (taken.length === 0) continue;
    const namespace = namespaceOf(object) ? `${namespaceOf(object)}/` : '';
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
}

type Place = Pick<Finding, 'file' | 'line'>;

/** values.yaml (line 1) when the values drive the upgrade, else the environment's `chart` in the config. */
function place({ chart, desired, environment, live }: PlanContext): Place {
  const release = live.helmRelease;
  return desired.values && release && chart?.chartVersion === release.chartVersion ? { file: desired.values.file, line: 1 } : environmentAt(environment, 'chart');
}

function namespaceOf(object: JsonObject | undefined): string | undefined {
  const metadata = object?.['metadata'];
  return isObject(metadata) && typeof metadata['namespace'] === 'string' ? metadata['namespace'] : undefined;
}

/** `spec.replicas 3 → 1 (set by kubectl-edit)`; a Secret's values are not quoted. */
function describe(field: OwnedField, manager: string, secret: boolean): string {
  return `${valueDifference(field.path, field.live, field.manifest, !secret)} (set by ${manager})`;
}
