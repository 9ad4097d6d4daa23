import type { DesiredEnvironment } from '../desired/desired-state.ts';
import type { LiveState } from '../live/live-state.ts';
import type { ChartRender, EnvironmentPlan } from '../plan/plan-types.ts';
import { Redactor } from './redactor.ts';

/** Kind under which chart values are redacted (schema knowledge of the FSM chart, secret-paths.ts). */
export const HELM_VALUES_KIND = 'HelmValues';

/**
 * The redactor for one environment's plan: the user's `redact.keys` (from the config the environment was
 * read under: the default branch's in the app), having learnt every credential the repository and the
 * cluster hold (manifests, values.yaml, the live FSM objects, the deployed chart values, the chart's objects
 * rendered and live), so a message that quotes one of them is masked too.
 */
export function planRedactor(desired: DesiredEnvironment, live: LiveState, chart?: ChartRender): Redactor {
  const redactor = new Redactor(desired.environment.redactKeys ?? []);
  if (chart?.ok) {
    for (const object of chart.rendered.values()) redactor.learn(object.kind, object);
    if (chart.inCluster && 'live' in chart.inCluster) for (const object of chart.inCluster.live.values()) redactor.learn(String(object['kind'] ?? ''), object);
  }
  for (const resource of desired.resources) redactor.learn(resource.object.kind, resource.object);
  if (desired.values) redactor.learn(HELM_VALUES_KIND, desired.values.values);
  if (live.meshConfig) redactor.learn('MeshConfig', live.meshConfig);
  for (const object of live.pluginObjects) redactor.learn(object.kind, object);
  if (live.helmRelease) redactor.learn(HELM_VALUES_KIND, live.helmRelease.config);
  return redactor;
}

/**
 * The plan's free text redacted in place (finding messages, pending notes, the live source's URL); its
 * before/after values were redacted as the changes were computed (plan/changes.ts). Run before any
 * rendering: renderers only see redacted plans.
 */
export function redactPlanText(plan: EnvironmentPlan, redactor: Redactor): EnvironmentPlan {
  plan.liveSource = redactor.text(plan.liveSource);
  for (const finding of plan.findings) finding.message = redactor.text(finding.message);
  for (const change of plan.changes) if (change.pending) change.pending = redactor.text(change.pending);
  return plan;
}
