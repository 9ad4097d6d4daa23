import { policyDigest } from '../config/policy.ts';
import type { EnvironmentConfig } from '../config/repo-config.ts';
import { changesFolder } from '../deploy/review-scope.ts';
import { describeApprovals } from '../deploy/approvals.ts';
import { readHistory, type ApplyRecord } from '../apply/history.ts';
import { Claims } from '../deploy/claims.ts';
import { deployEnvironment } from '../deploy/deploy-environment.ts';
import { Pins } from '../deploy/pins.ts';
import { isFork, type PullRequestEvent } from '../events/app-event.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { escapeMarkdown } from '../render/markdown.ts';
import { markdownCode } from '../render/markdown-escape.ts';
import { hasWork, planLive } from '../workflow/apply-environment.ts';
import type { EventContext } from './app-context.ts';
import { checkRunName, NEW_ENVIRONMENT, ourCheckRuns, type OurCheckRun } from './check-runs.ts';
import { replyOnce } from './comment-replies.ts';
import { reportOutcome, reportStopped } from './deploy-report.ts';
import { DeploymentTrail } from './deployment-trail.ts';
import { GitHubRepoFiles } from './github-repo-files.ts';
import { pullRequestApprovals, type PullRequestApprovals } from './pull-request-approvals.ts';
import { changedPaths } from './pull-request-state.ts';
import { readConfigs } from './repo-config-at.ts';
import { refreshDeployStatus, refreshOthers } from './refresh-status.ts';
import { retryCannotHelp } from './retry-cannot-help.ts';
import { PeopleDirectory } from './reviewer-standing.ts';
import { withLogLine, writeStickyComment } from './sticky-comment.ts';

/**
 * A pull request closed: merged into the default branch, its `on-merge` environments are deployed from the
 * merge commit (when their approvals were met on the final head and that head's plan had no errors); then,
 * merged or not, the claims it holds are released. One comment says what happened; it is posted once
 * however often GitHub delivers the event, and each merge commit deploys once (its trigger).
 */
export async function onPullRequestClosed(ctx: EventContext, event: PullRequestEvent): Promise<string> {
  const pr = event.pullRequest;
  const lines: string[] = [];
  const deployed = pr.merged && pr.mergeCommitSha && pr.baseRef === ctx.repository.defaultBranch ? await mergeDeploy(ctx, event, pr.mergeCommitSha) : { lines: [], environments: [] };
  lines.push(...deployed.lines);
  // Unmerged, merge_commit_sha is GitHub's test merge, which nobody pushed: the head is what was closed.
  const closedAt = pr.merged && pr.mergeCommitSha ? pr.mergeCommitSha : pr.headSha;
  // Merged elsewhere than the default branch (retargeted after its apply), its change is not on the default branch either.
  const released = await releaseClaims(ctx, pr.number, closedAt, pr.merged && pr.baseRef === ctx.repository.defaultBranch);
  lines.push(...released.lines);
  if (lines.length === 0) return pr.merged ? 'merged: nothing to deploy' : 'closed';
  await replyOnce(ctx, pr.number, `closed:${closedAt}`, ['**fsm-gitops**', '', ...lines.map((l) => `- ${l}`)].join('\n'));
  await writeStickyComment(ctx.octokit, ctx.ref, pr.number, ctx.identity, (current) => (current === undefined ? undefined : lines.reduce(withLogLine, current)));
  await refreshDeployStatus(ctx, pr.number); // claims released, pins lifted: the status block says so
  // They showed the claims this pull request held, and the pins a merge deploy may have lifted.
  await refreshOthers(ctx, pr.number, [...new Set([...released.environments, ...deployed.environments])]);
  return `closed: ${lines.length} line(s) reported`;
}

/** Deploys the merge commit to its on-merge environments: the deploy-log lines, and the environments deployed (or whose pin was lifted). */
async function mergeDeploy(ctx: EventContext, event: PullRequestEvent, mergeSha: string): Promise<{ lines: string[]; environments: string[] }> {
  const pr = event.pullRequest;
  const policy = (await readConfigs(ctx.octokit, ctx.ref, [mergeSha])).commits[0]?.config;
  if (!policy) return { lines: [], environments: [] };
  const paths = await changedPaths(ctx.octokit, ctx.ref, pr.number);
  const environments = policy.environments.filter((e) => e.deploy === 'on-merge' && changesFolder(paths, e));
  if (environments.length === 0) return { lines: [], environments: [] };
  if (isFork(event)) {
    const lines = environments.map(
      (e) => `⏸ \`${e.name}\`: not deployed on merge: the pull request came from a fork, and fsm-gitops never deploys a fork's change (its plan was never dry-run). The drift issue shows the difference; deploy it from a branch of this repository or with the CLI.`,
    );
    return { lines, environments: [] };
  }

  const checkRuns = await ourCheckRuns(ctx.octokit, ctx.ref, pr.headSha, ctx.identity);
  const approvals = await pullRequestApprovals(ctx.octokit, ctx.ref, pr, new PeopleDirectory(ctx.octokit, ctx.ref));
  const repoFiles = new GitHubRepoFiles(ctx.octokit, ctx.ref, mergeSha);
  const lines: string[] = [];
  const deployed: string[] = [];
  for (const environment of environments) {
    const checkRun = checkRuns.find((r) => r.name === checkRunName(environment.name));
    try {
      const refusal = await mergeRefusal(environment, checkRun, approvals, pr.headSha);
      if (refusal) {
        lines.push(`⏸ \`${environment.name}\`: not deployed on merge: ${refusal}. The drift issue shows the difference until a deploy catches up.`);
        continue;
      }
      lines.push(...(await deployOnMerge(ctx, event, environment, { mergeSha, repoFiles, approvals, expectedDigest: checkRun!.record!.plan! })));
      deployed.push(environment.name);
    } catch (error) {
      // A retry of the delivery may still get through (an API server back after a restart); after the last, or when
      // retrying cannot help (no way to change that cluster, teams GitHub will not list), people hear of it, as of a failed apply.
      if (!ctx.finalAttempt && !retryCannotHelp(error)) throw error;
      lines.push(...(await reportStopped(ctx, environment.name, mergeSha, event.sender.login, error as Error)));
    }
  }
  return { lines, environments: deployed };
}

interface MergeDeploy {
  mergeSha: string;
  repoFiles: GitHubRepoFiles;
  approvals: PullRequestApprovals;
  /** The digest of the plan the review of the final head showed (its check run's record). */
  expectedDigest: string;
}

/** Deploys one environment whose merge requirements are met, unless a rollback pinned it; returns the deploy-log lines. */
async function deployOnMerge(ctx: EventContext, event: PullRequestEvent, environment: EnvironmentConfig, merge: MergeDeploy): Promise<string[]> {
  const pr = event.pullRequest;
  const name = environment.name;
  const client = await ctx.deps.live.client(environment.cluster);
  const pins = new Pins(client, environment.mesh.namespace);
  const pin = await pins.read(name);
  if (pin) {
    const { plan, set } = await planLive(client, merge.repoFiles, environment);
    if (hasWork(plan, set)) return [`📌 \`${name}\`: not deployed on merge: paused since a rollback to ${markdownCode(String(pin.sha).slice(0, 7))}; \`/fsm unlock ${name}\` resumes merge deploys`];
    await pins.unpin(name);
    return [`\`${name}\`: the default branch matches the cluster again: merge deploys resume`];
  }
  const status = await merge.approvals.forEnvironment(environment);
  const outcome = await deployEnvironment({
    deadline: ctx.deadline,
    client,
    environment,
    files: merge.repoFiles,
    sha: merge.mergeSha,
    task: 'deploy',
    trigger: `merge:${merge.mergeSha}`,
    pr: pr.number,
    repository: ctx.repository.fullName,
    actor: event.sender.login,
    approvers: status.approvers,
    // The merge commit may hold more than the reviewed head (another merge the branch lacked): it is applied
    // only if its plan is the one the review showed.
    expectedDigest: merge.expectedDigest,
    trail: new DeploymentTrail(ctx.octokit, ctx.ref, ctx.identity),
    ...(pr.htmlUrl ? { logUrl: pr.htmlUrl } : {}),
  });
  const report = await reportOutcome(ctx, environment, merge.mergeSha, event.sender.login, outcome, 'merge deploy');
  return [...report.log, ...(report.refusal && !report.failed ? [`⏸ ${escapeMarkdown(report.refusal)}`] : [])];
}

/** Why an environment is not deployed on merge (Markdown), or undefined when it is. */
async function mergeRefusal(environment: EnvironmentConfig, checkRun: OurCheckRun | undefined, approvals: PullRequestApprovals, headSha: string): Promise<string | undefined> {
  const sha = markdownCode(headSha.slice(0, 7));
  if (!checkRun?.record?.plan || checkRun.status !== 'completed') return `${sha} was never planned for it`;
  if (checkRun.conclusion !== 'success') return `the plan of ${sha} had errors`;
  if (checkRun.record.policy === NEW_ENVIRONMENT) return 'this pull request added it: a new environment deploys from its next merge, under the policy now on the default branch';
  if (checkRun.record.policy !== policyDigest(environment)) return 'its policy changed since the plan (in this pull request or on the default branch); it deploys from the next merge, or the CLI';
  const status = await approvals.forEnvironment(environment);
  if (!status.met) return escapeMarkdown(describeApprovals(status));
  return undefined;
}

/**
 * Releases the claims this pull request holds, in every environment of the default branch's config. Closed
 * unmerged, an environment whose last apply is still this pull request's is said to run a change the default
 * branch does not have, with the rollback to its deploy before.
 */
async function releaseClaims(ctx: EventContext, number: number, sha: string, merged: boolean): Promise<{ lines: string[]; environments: string[] }> {
  const policy = (await readConfigs(ctx.octokit, ctx.ref, [])).defaultBranch.config;
  const lines: string[] = [];
  const environments: string[] = [];
  // Every environment, whatever its deploy mode now: a claim taken while it was on-command is released, and an
  // apply of this pull request that /fsm unlock let go of (no claim left) still runs in its cluster.
  for (const environment of policy?.environments ?? []) {
    const client = await ctx.deps.live.client(environment.cluster).catch(() => undefined);
    if (!client) continue;
    // Only an on-command environment is claimed as a rule: its cluster failing fails the event (retried); another's is
    // looked at best effort, and not read again once it failed (a cluster that does not answer costs its retries once).
    const answer = await new Claims(client, environment.mesh.namespace)
      .release(environment.name, { repository: ctx.repository.fullName, pr: number })
      .then((claim) => ({ claim }), (error: unknown) => (environment.deploy === 'on-command' ? Promise.reject(error) : undefined));
    if (!answer) continue;
    const released = answer.claim;
    if (released) {
      lines.push(`🔓 \`${environment.name}\`: released (this pull request held it since applying ${markdownCode(String(released.headSha).slice(0, 7))}; ${merged ? 'merged' : 'closed'} at \`${sha.slice(0, 7)}\`)`);
      environments.push(environment.name);
    }
    if (!merged) lines.push(...(await unmergedStillApplied(client, environment, { repository: ctx.repository.fullName, pr: number }, released !== undefined)));
  }
  return { lines, environments };
}

/** A commit as the history records the app's applies and `/fsm rollback` takes it. */
const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * `⚠️ staging still runs ...` when the environment's newest applied record (its history) is this pull request's:
 * closed unmerged, what it applied stays in the cluster, which the default branch no longer describes. Names the
 * rollback to the newest applied record of anything else. A history that cannot be read is said to be unknown
 * when the pull request held the environment (`held`: it applied there), and not at all otherwise.
 * A record of another repository's pull request (environments may share a namespace) is not this one's; a record
 * from before records named their repository is taken to be of this one.
 */
async function unmergedStillApplied(client: KubeClient, environment: EnvironmentConfig, pr: { repository: string; pr: number }, held: boolean): Promise<string[]> {
  const history = await readHistory(client, environment.mesh.namespace, environment.name).catch(() => undefined);
  if (!history && !held) return [];
  const applied = history?.filter((r) => r.result === 'applied');
  // A rollback commented on the pull request (`/fsm rollback`) returned the environment to an earlier commit: not its change.
  const ours = (r: ApplyRecord) => r.pr === pr.pr && r.task !== 'rollback' && (r.repository === undefined || r.repository === pr.repository);
  if (applied && !(applied[0] && ours(applied[0]))) return [];
  const before = applied?.find((r) => !ours(r));
  // Only a commit /fsm rollback takes (a CLI apply may record `unknown`, or any --commit text).
  const back = before && FULL_SHA.test(before.commit) ? `${markdownCode(`/fsm rollback ${environment.name} ${before.commit.slice(0, 7)}`)} returns it to the deploy before this pull request's` : `deploy the default branch to it (\`fsm-gitops apply\`) to return it`;
  const what = applied ? `still runs ${markdownCode(applied[0]!.commit.slice(0, 7))} of this pull request, which was not merged` : 'may still run what this pull request applied, which was not merged (its apply history could not be read)';
  return [`⚠️ \`${environment.name}\` ${what}: the cluster differs from the default branch until the next deploy; ${back}, and \`/fsm status\` shows the difference`];
}
