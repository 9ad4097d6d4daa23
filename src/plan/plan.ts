import { appendAll } from '../core/arrays.ts';
import { sortFindings } from '../core/finding.ts';
import { capFindings } from './finding-caps.ts';
import type { DesiredEnvironment } from '../desired/desired-state.ts';
import type { DryRunOutcome, LiveState, ServiceNames } from '../live/live-state.ts';
import { dryRunFindings } from './dry-run-findings.ts';
import { driftFindings } from './drift.ts';
import { liveObjectsByKey } from './live-objects.ts';
import { RULES } from '../fsm/rules/index.ts';
import { serviceRefFindings } from '../fsm/rules/destination-refs.ts';
import { meshWorkloads, restartOnlyChanges } from '../fsm/rules/restart-impact.ts';
import { computeChanges } from './changes.ts';
import { buildContext, withChart, type BuiltContext } from './context.ts';
import type { ChartRender, EnvironmentPlan } from './plan-types.ts';
import { planRedactor, redactPlanText } from '../redact/plan-redaction.ts';

export interface PlanOptions {
  /** The API server's dry-run answers, keyed by objectKey: they replace the local guess of each object's result. */
  dryRun?: ReadonlyMap<string, DryRunOutcome>;
  /** The chart rendered for this environment's values or chart version (src/chart/render-release.ts). */
  chart?: ChartRender;
  /** buildContext of the same `desired` and `live` without a chart, when the caller made it already (planAgainst: for applySet too). */
  built?: BuiltContext;
  /** The API server's Services of the namespaces PluginConfigs name (serviceNamespacesToList): whether each named one exists. */
  services?: ServiceNames;
}

/**
 * The plan for one environment: pure, no I/O. What the repo asks for, checked against FSM's rules and
 * diffed against the live state. Its values and messages are redacted (src/redact): renderers may print it.
 */
export function planEnvironment(desired: DesiredEnvironment, live: LiveState, options: PlanOptions = {}): EnvironmentPlan {
  const redactor = planRedactor(desired, live, options.chart);
  const { context, findings } = options.built ? withChart(options.built, options.chart) : buildContext(desired, live, options.chart);
  // Rules can return 100,000 findings (one per document of a file): appended one by one, not spread as arguments.
  for (const rule of RULES) appendAll(findings, rule.check(context));
  const liveByKey = liveObjectsByKey(live);
  if (options.dryRun) appendAll(findings, dryRunFindings(context.managed, options.dryRun, findings, liveByKey));
  if (options.services) appendAll(findings, serviceRefFindings(context, options.services));
  appendAll(findings, driftFindings(context.managed, liveByKey, context.schemas));
  const capped = capFindings(sortFindings(desired.findings.concat(findings)));
  return redactPlanText({
    name: desired.environment.name,
    path: desired.environment.path,
    liveSource: live.source,
    changes: computeChanges(context, redactor, options.dryRun),
    findings: capped.findings,
    ...(capped.omitted.length > 0 ? { omittedFindings: capped.omitted } : {}),
    restarts: restartOnlyChanges(context).length > 0 ? meshWorkloads(context) : [],
  }, redactor);
}


