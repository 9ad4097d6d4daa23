import { readHistory } from '../apply/history.ts';
import type { EnvironmentConfig } from '../config/repo-config.ts';
import type { Finding } from '../core/finding.ts';
import type { ResourceChange } from '../plan/plan-types.ts';
import { deployMode, lockTexts, readLocks } from '../github/deploy-status.ts';
import { GitHubRepoFiles } from '../github/github-repo-files.ts';
import { describeDeploy } from '../render/apply-record.ts';
import { tableCell } from '../render/markdown-escape.ts';
import { loadWhileReading, planAgainst } from '../workflow/plan-repository.ts';
import type { CommandContext, CommandResult } from './command-context.ts';

/**
 * `/fsm status`: per environment of the default branch, its last deploy (from the cluster's history),
 * claim, pin, and how the cluster differs from the default branch (a plan without the server's dry run).
 * On a pull request or an issue; answered with one reply.
 */
export async function statusCommand(cc: CommandContext): Promise<CommandResult> {
  const limit = cc.deps.settings.maxEnvironmentsPerReview;
  const environments = cc.policy.environments.slice(0, limit);
  const files = new GitHubRepoFiles(cc.octokit, cc.ref, cc.policySha);
  const rows: string[] = [];
  for (const environment of environments) rows.push(await row(cc, environment, files));
  const more = cc.policy.environments.length - environments.length;
  return {
    reply: [
      `**fsm-gitops status** of the default branch at \`${cc.policySha.slice(0, 7)}\``,
      '',
      '| environment | deploys | last deploy | locks | default branch vs cluster |',
      '|---|---|---|---|---|',
      ...rows,
      ...(more > 0 ? ['', `…and ${more} more environment(s), not shown (limit ${limit}).`] : []),
    ].join('\n'),
  };
}

async function row(cc: CommandContext, environment: EnvironmentConfig, files: GitHubRepoFiles): Promise<string> {
  // A cluster the app cannot use at all (no credentials in its settings) is said once, not in every cell.
  const unusable = await unusableCluster(cc, environment);
  if (unusable !== undefined) return `| \`${environment.name}\` | ${deployMode(environment)} | unknown | unknown | ${tableCell(`cannot use its cluster: ${unusable}`)} |`;
  const [last, locks, drift] = await Promise.all([lastDeploy(cc, environment), readLocks(cc, environment), driftSummary(cc, environment, files)]);
  const lockText = lockTexts(environment.name, locks, { repository: cc.repository.fullName }).join('; ') || 'none';
  return `| \`${environment.name}\` | ${deployMode(environment)} | ${last} | ${lockText.replace(/\|/g, '\\|')} | ${drift} |`;
}

/** Why the app's settings give no client for the environment's cluster (its first line), or undefined. */
async function unusableCluster(cc: CommandContext, environment: EnvironmentConfig): Promise<string | undefined> {
  if (cc.deps.live.isSnapshot(environment.cluster)) return undefined;
  try {
    await cc.deps.live.client(environment.cluster);
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

async function lastDeploy(cc: CommandContext, environment: EnvironmentConfig): Promise<string> {
  if (cc.deps.live.isSnapshot(environment.cluster)) return 'none (a snapshot cluster)';
  try {
    const client = await cc.deps.live.client(environment.cluster);
    const [record] = await readHistory(client, environment.mesh.namespace, environment.name);
    return record ? describeDeploy(record, cc.repository.fullName) : 'none recorded';
  } catch (error) {
    return tableCell(`unknown: ${(error as Error).message.split('\n')[0]}`);
  }
}

async function driftSummary(cc: CommandContext, environment: EnvironmentConfig, files: GitHubRepoFiles): Promise<string> {
  try {
    const { desired, read } = await loadWhileReading(files, environment, () => cc.deps.live.reader(environment.cluster));
    const { plan } = await planAgainst(desired, read, { serverDryRun: false });
    const changed = plan.changes.filter((c) => c.action !== 'unchanged');
    const listed = (changes: ResourceChange[]): string => `${tableCell(changes.slice(0, 5).map(describeDifference).join(', '))}${changes.length > 5 ? ', …' : ''}`;
    // A pending change (values.yaml without chart upgrades) is one apply does not make: not a difference an apply would end.
    const made = changed.filter((c) => c.pending === undefined);
    const pending = changed.filter((c) => c.pending !== undefined);
    const differences = made.length === 0 ? undefined : `${made.length} difference(s): ${listed(made)}`;
    const errors = planErrors(plan.findings);
    const summary = [errors, differences].filter(Boolean).join('; ') || 'in sync';
    return pending.length === 0 ? summary : `${summary}; ${pending.length} pending, which apply does not make: ${listed(pending)}`;
  } catch (error) {
    return tableCell(`cannot tell: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** One difference in `/fsm status`: `update Plugin bookinfo/ratelimit`; a chart bump with its versions: `update HelmRelease fsm-system/fsm (chart fsm-1.5.1 → fsm-1.6.0)`. */
export function describeDifference(change: ResourceChange): string {
  const chart = change.kind === 'HelmRelease' ? change.fields.find((f) => f.path === 'chart') : undefined;
  return `${change.action} ${change.kind} ${change.namespace ? `${change.namespace}/` : ''}${change.name}${chart ? ` (chart ${String(chart.before)} → ${String(chart.after)})` : ''}`;
}

/**
 * The default branch's plan errors, said before its differences: a branch that cannot be applied as it is
 * (an empty folder, a refused field) is not "in sync" whatever the cluster holds. The status plans without
 * the server's dry run, so errors only the API server finds show in a review or drift check, not here.
 */
function planErrors(findings: readonly Finding[]): string | undefined {
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length === 0) return undefined;
  const codes = [...new Set(errors.map((f) => f.code))];
  return `❌ ${errors.length} error(s) in the default branch's plan (${tableCell(codes.slice(0, 3).join(', '))}${codes.length > 3 ? ', …' : ''}): it cannot be applied as it is`;
}
