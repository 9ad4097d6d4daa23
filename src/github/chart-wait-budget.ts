import { HELM_WRITE_MS, MIN_HELM_TIMEOUT_MS, OBJECTS_RESERVE_MS, upgradeTimeouts } from '../apply/chart-upgrade.ts';
import { environmentAt, type EnvironmentConfig } from '../config/repo-config.ts';
import type { Finding } from '../core/finding.ts';
import type { ChartUpgrade } from '../plan/plan-types.ts';

/**
 * A review's warning that the chart upgrade it planned would not get the rollout wait the policy asks for
 * (`chart.wait.timeoutSeconds`) when this app applies it: an apply's event has the same time as this
 * review's (`eventBudgetMs`: the Lambda's remaining time, or npm start's DEFAULT_WORK_MS), of which its plan
 * takes about what this review's did (`planMs`), and the wait is cut to what is then left less helm's
 * writes and the objects' reserve (chart-upgrade.ts upgradeTimeouts). A rollout slower than the cut wait
 * is rolled back, so the review says so before anyone merges. undefined when the wait fits, when the plan
 * upgrades no chart, when the policy does not wait (0), or when the app never applies it (deploy: manual).
 */
export function chartWaitFinding(environment: EnvironmentConfig, upgrade: ChartUpgrade | undefined, eventBudgetMs: number, planMs: number): Finding | undefined {
  const policy = environment.chart;
  // deploy: manual is applied with the CLI only, whose --timeout the user sets.
  if (!upgrade || !policy?.upgrade || policy.waitTimeoutSeconds <= 0 || environment.deploy === 'manual') return undefined;
  const at = environmentAt(environment, 'chart.wait.timeoutSeconds');
  const asked = `environments.${environment.name}.chart.wait.timeoutSeconds is ${policy.waitTimeoutSeconds} s`;
  const fix = `lower chart.wait.timeoutSeconds, or give the app's worker more time (docs/github-app.md, "When an apply fails"), or apply it with the CLI and a longer --timeout`;
  const timeouts = upgradeTimeouts(policy, 0, eventBudgetMs - planMs);
  if (!timeouts) {
    const needed = (MIN_HELM_TIMEOUT_MS + HELM_WRITE_MS + OBJECTS_RESERVE_MS) / 1000;
    return { severity: 'warning', code: 'chart-wait-cut', ...at, message: `${asked}, but an apply by this app would have too little time left after its plan to upgrade the chart at all (helm needs ${needed} s at least): it would refuse the upgrade; ${fix}` };
  }
  if (timeouts.helm >= policy.waitTimeoutSeconds * 1000) return undefined;
  return {
    severity: 'warning',
    code: 'chart-wait-cut',
    ...at,
    message: `${asked}, but an apply by this app can wait about ${Math.floor(timeouts.helm / 1000)} s for the rollout (its time, less its plan, helm's writes and the objects' reserve): a slower rollout is rolled back; ${fix}`,
  };
}
