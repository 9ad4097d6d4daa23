import { sortFindings } from '../core/finding.ts';
import type { DesiredEnvironment } from '../desired/desired-state.ts';
import type { DryRunOutcome, LiveState } from '../live/live-state.ts';
import { dryRunFindings } from './dry-run-findings.ts';
import { driftFindings } from './drift.ts';
import { liveObjectsByKey } from './live-objects.ts';
import { RULES } from '../fsm/rules/index.ts';
import { meshWorkloads, restartOnlyChanges } from '../fsm/rules/restart-impact.ts';
import { computeChanges } from './changes.ts';
import { buildContext } from './context.ts';
import type { EnvironmentPlan } from './plan-types.ts';
import { planRedactor, redactPlanText } from '../redact/plan-redaction.ts';

export interface PlanOptions {
  /** The API server's dry-run answers, keyed by objectKey: they replace the local guess of each object's result. */
  dryRun?: ReadonlyMap<string, DryRunOutcome>;
}

/**
 * The plan for one environment: pure, no I/O. What the repo asks for, checked against FSM's rules and
 * diffed against the live state. Its values and messages are redacted (src/redact): renderers may print it.
 */
export function planEnvironment(desired: DesiredEnvironment, live: LiveState, options: PlanOptions = {}): EnvironmentPlan {
  const redactor = planRedactor(desired, live);
  const { context, findings } = buildContext(desired, live);
  for (const rule of RULES) findings.push(...rule.check(context));
  if (options.dryRun) findings.push(...dryRunFindings(context.managed, options.dryRun, findings));
  findings.push(...driftFindings(context.managed, liveObjectsByKey(live), context.schemas));
  return redactPlanText({
    name: desired.environment.name,
    path: desired.environment.path,
    liveSource: live.source,
    changes: computeChanges(context, redactor, options.dryRun),
    findings: sortFindings([...desired.findings, ...findings]),
    restarts: restartOnlyChanges(context).length > 0 ? meshWorkloads(context) : [],
  }, redactor);
}


