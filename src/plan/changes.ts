import { releaseValues } from '../fsm/helm-values.ts';
import { environmentAt } from '../config/repo-config.ts';
import { appendAll } from '../core/arrays.ts';
import { deepEqual, isObject } from '../core/json.ts';
import { releaseChanges } from './release-changes.ts';
import { namespaceOf, objectKey, type KubeObject } from '../core/kube.ts';
import { ENVIRONMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/ownership.ts';
import { applyOrder, fsmKindOf } from '../fsm/kinds.ts';
import { ENABLE_CHART_UPGRADES } from '../fsm/chart-upgrade-hint.ts';
import type { ManagedResource, PlanContext } from '../fsm/rules/rule.ts';
import { fieldChanges, type FieldChange } from './field-changes.ts';
import { withoutDroppedFields } from './dropped-fields.ts';
import { applyOnto } from './merge.ts';
import { liveObjectsByKey } from './live-objects.ts';
import { normalize } from './normalize.ts';
import type { ChangeAction, ResourceChange } from './plan-types.ts';
import type { DryRunOutcome } from '../live/live-state.ts';
import { HELM_VALUES_KIND } from '../redact/plan-redaction.ts';
import type { Redactor } from '../redact/redactor.ts';

/**
 * The manifest as fsm-gitops applies it: plugin kinds carry the ownership labels prune relies on. A new
 * object, metadata and labels; the rest (spec) is the resource's own, as the MeshConfig is returned whole:
 * nothing writes to either (the apply copies an object before it stamps it).
 */
export function toApply(resource: ManagedResource, environment: string): KubeObject {
  if (resource.kind === 'MeshConfig') return resource.object;
  const { metadata } = resource.object;
  const labels = isObject(metadata['labels']) ? metadata['labels'] : {};
  return { ...resource.object, metadata: { ...metadata, labels: { ...labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [ENVIRONMENT_LABEL]: environment } } };
}

/** Per resource: create, update, unchanged, or delete (prune), in apply order; then the Helm values. Values are redacted by `redactor`. */
export function computeChanges(context: PlanContext, redactor: Redactor, dryRun?: ReadonlyMap<string, DryRunOutcome>): ResourceChange[] {
  const liveByKey = liveObjectsByKey(context.live);
  const changes: ResourceChange[] = [];
  for (const resource of context.managed) {
    const key = objectKey(resource.object);
    const live = liveByKey.get(key);
    // fsm-gitops merges onto FSM's MeshConfig and never creates one: none live is an error (meshconfig-missing,
    // or schema-unavailable without the CRD), not a create to list beside it.
    if (!live && resource.object.kind === 'MeshConfig') continue;
    const lookup = context.schemas.lookup(resource.object.apiVersion, resource.object.kind);
    const applied = toApply(resource, context.environment.name);
    const server = dryRun?.get(key);
    const local = live ? (applyOnto(withoutDroppedFields(live, applied), applied, lookup.ok ? lookup.schema : undefined) as KubeObject) : applied;
    const after = server?.ok ? server.object : local;
    const at = resource.locate([]);
    changes.push(change(redactor, live ? 'update' : 'create', resource.object, live, after, { file: resource.file, line: at.line }));
  }
  for (const object of context.pruned) changes.push(change(redactor, 'delete', object, object, undefined, {}));
  changes.sort(byApplyOrder);
  const values = valuesChange(context, redactor);
  if (values) changes.push(values);
  const version = chartVersionChange(context);
  if (version) changes.push(version);
  appendAll(changes, chartChanges(context, redactor));
  return changes;
}

function change(
  redactor: Redactor,
  action: 'create' | 'update' | 'delete',
  identity: KubeObject,
  live: KubeObject | undefined,
  after: KubeObject | undefined,
  where: { file?: string; line?: number },
): ResourceChange {
  const shownLive = live ? normalize(live) : undefined;
  const shownAfter = after ? normalize(after) : undefined;
  // Equal objects are unchanged without a redacted copy, which nothing renders (the redactor learnt both: planRedactor).
  if (action === 'update' && deepEqual(shownLive, shownAfter)) return identified('unchanged', identity, [], where);
  // Differences are found on the real values (a changed credential is an update), shown redacted.
  const [before, afterRedacted] = redactor.pair(identity.kind, shownLive, shownAfter);
  // Field summaries describe updates; a create or delete is its whole diff. Masking keeps a difference: `•••••• (changed)`.
  const fields = action === 'update' ? fieldChanges(before, afterRedacted) : [];
  const result = identified(action === 'update' && fields.length === 0 ? 'unchanged' : action, identity, fields, where);
  if (before) result.before = before;
  if (afterRedacted) result.after = afterRedacted;
  return result;
}

function identified(action: ChangeAction, identity: KubeObject, fields: FieldChange[], where: { file?: string; line?: number }): ResourceChange {
  const result: ResourceChange = { action, kind: identity.kind, apiVersion: identity.apiVersion, name: identity.metadata.name, fields, ...where };
  const namespace = namespaceOf(identity);
  if (namespace) result.namespace = namespace;
  return result;
}

/** Names in the order people read them (`plugin-2` before `plugin-10`), the same on every machine whatever its locale. */
const byLocale = new Intl.Collator('en', { numeric: true }).compare;

function byApplyOrder(a: ResourceChange, b: ResourceChange): number {
  return rank(a) - rank(b) || byLocale(a.namespace ?? '', b.namespace ?? '') || byLocale(a.name, b.name) || byCodeUnits(a.name, b.name);
}

/** `plugin-01` and `plugin-1` are equal as numbers: code-unit order decides, whatever order the repository listed them in. */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function rank(change: ResourceChange): number {
  const order = applyOrder(change.kind as never);
  return change.action === 'delete' ? 100 - order : order; // prune runs last, in reverse dependency order
}

const UPGRADE_OFF = `values changes need a chart upgrade (helm upgrade), which this environment does not run: to enable it, ${ENABLE_CHART_UPGRADES}`;
const UPGRADE_NOT_PLANNED = 'apply does not upgrade the chart with this plan: the findings say why (no deployed release to upgrade, a refused chart version, a release left mid-operation, or helm refusing the values)';

/**
 * The chart's objects the upgrade changes, per object against the release's stored manifest (release-changes.ts);
 * apply runs the upgrade. They are values.yaml's, unless the chart version changes: then the config's `chart.version`.
 */
function chartChanges(context: PlanContext, redactor: Redactor): ResourceChange[] {
  const release = context.live.helmRelease;
  const chart = context.chart;
  if (!release || !chart?.ok) return [];
  const file = (chart.chartVersion === release.chartVersion ? context.desired.values?.file : undefined) ?? configFile(context);
  return releaseChanges(chart.deployed, chart.rendered, redactor, file).changes;
}

/**
 * The chart version the upgrade moves the release to (`chart.version` in .github/fsm-gitops.yml), as a change
 * of its own: without it, a bump shows only as its objects' changes. With the SHA-256 of the archive the plan
 * pulled and rendered (apply installs those bytes): reviewers see which archive, and a plan made again after the
 * repository replaced it differs (plan-digest.ts), even where the rendered objects do not (hooks).
 */
function chartVersionChange(context: PlanContext): ResourceChange | undefined {
  const release = context.live.helmRelease;
  const chart = context.chart;
  if (!release || !chart || chart.chartVersion === release.chartVersion) return undefined;
  const at = context.environment.at ? environmentAt(context.environment, 'chart.version') : undefined;
  const pulled = chart.ok ? chart.upgrade.chart : {};
  const digest = 'sha256' in pulled ? `sha256:${pulled.sha256}` : undefined;
  return {
    action: 'update',
    kind: 'HelmRelease',
    apiVersion: 'helm.sh/v3',
    name: release.name,
    namespace: release.namespace,
    file: configFile(context),
    ...(at ? { line: at.line } : {}),
    // before and after too: every view of a change (the diff of a check run) shows them.
    before: { chart: `${release.chartName}-${release.chartVersion}` },
    after: { chart: `${release.chartName}-${chart.chartVersion}`, ...(digest ? { digest } : {}) },
    fields: [{ path: 'chart', before: `${release.chartName}-${release.chartVersion}`, after: `${release.chartName}-${chart.chartVersion}` }, ...(digest ? [{ path: 'digest', after: digest }] : [])],
    // A version the plan could not fetch or render is still the change asked for: shown, and not applied.
    ...(chart.ok ? {} : { pending: UPGRADE_NOT_PLANNED }),
  };
}

function configFile(context: PlanContext): string {
  return environmentAt(context.environment).file;
}

function valuesChange(context: PlanContext, redactor: Redactor): ResourceChange | undefined {
  const values = context.desired.values;
  if (!values) return undefined;
  const release = context.live.helmRelease;
  const before = context.helmValues?.deployed;
  const after = context.helmValues?.wanted ?? values.values;
  const fields = fieldChanges(...redactor.pair(HELM_VALUES_KIND, before, after));
  const action = !release ? 'create' : deepEqual(before, after) ? 'unchanged' : 'update';
  const result: ResourceChange = {
    action,
    kind: 'HelmValues',
    apiVersion: 'helm.sh/v3',
    name: release?.name ?? context.environment.mesh.name,
    namespace: context.environment.mesh.namespace,
    file: values.file,
    line: 1,
    fields,
  };
  // Show the user's override, not the whole coalesced chart: what the file holds, with the fsm.meshName helm is
  // given too (releaseValues), as the deployed override has it: else every diff removes meshName.
  const [shownBefore, shownAfter] = redactor.pair(HELM_VALUES_KIND, release?.config, releaseValues(values.values, context.environment.mesh.name));
  if (shownAfter) result.after = shownAfter;
  if (release && shownBefore) result.before = shownBefore;
  if (action !== 'unchanged' && !context.chart?.ok) result.pending = context.environment.chart?.upgrade ? UPGRADE_NOT_PLANNED : UPGRADE_OFF;
  return result;
}
