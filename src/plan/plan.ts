import { sortFindings } from '../core/finding.ts';
import type { DesiredEnvironment } from '../desired/desired-state.ts';
import type { LiveState } from '../live/live-state.ts';
import { RULES } from '../fsm/rules/index.ts';
import { meshWorkloads, restartOnlyChanges } from '../fsm/rules/restart-impact.ts';
import { computeChanges } from './changes.ts';
import { buildContext } from './context.ts';
import type { EnvironmentPlan } from './plan-types.ts';

/** The plan for one environment: pure, no I/O. What the repo asks for, checked against FSM's rules and diffed against the live state. */
export function planEnvironment(desired: DesiredEnvironment, live: LiveState): EnvironmentPlan {
  const { context, findings } = buildContext(desired, live);
  for (const rule of RULES) findings.push(...rule.check(context));
  return {
    name: desired.environment.name,
    path: desired.environment.path,
    liveSource: live.source,
    changes: computeChanges(context),
    findings: sortFindings([...desired.findings, ...findings]),
    restarts: restartOnlyChanges(context).length > 0 ? meshWorkloads(context) : [],
  };
}
