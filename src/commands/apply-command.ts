import type { EnvironmentConfig } from '../config/repo-config.ts';
import { changesFolder } from '../deploy/review-scope.ts';
import { Claims, type Claim } from '../deploy/claims.ts';
import { Pins, type Pin } from '../deploy/pins.ts';
import { deployEnvironment } from '../deploy/deploy-environment.ts';
import { ourCheckRuns, checkRunName } from '../github/check-runs.ts';
import { DeploymentTrail } from '../github/deployment-trail.ts';
import { GitHubRepoFiles } from '../github/github-repo-files.ts';
import { baseChangesMissing, changedPaths, fetchPullRequest, type PullRequestState } from '../github/pull-request-state.ts';
import { pullRequestApprovals } from '../github/pull-request-approvals.ts';
import { fence } from '../render/markdown-code.ts';
import { describeUnmet, unmetRequirements } from './apply-requirements.ts';
import { CommandRefusal, namedEnvironments, type CommandContext, type CommandResult } from './command-context.ts';
import { reportOutcome } from '../github/deploy-report.ts';

/**
 * `/fsm apply [env...]`: applies the pull request's head commit to environments that deploy on command,
 * before merge, when every requirement holds (apply-requirements.ts); otherwise one reply says what is
 * missing and what unblocks it. Without names: the on-command environments the pull request touches.
 * The apply itself re-plans under the Lease and goes ahead only if the plan is the one the review showed.
 */
export async function applyCommand(cc: CommandContext, names: readonly string[]): Promise<CommandResult> {
  const number = cc.event.issue.number;
  const pr = await fetchPullRequest(cc, number, { waitForMergeable: true });
  if (pr.state !== 'open') throw new CommandRefusal(`#${number} is ${pr.merged ? 'merged' : 'closed'}; /fsm apply is for open pull requests`);
  if (pr.fromFork) throw new CommandRefusal(`#${number} comes from a fork: fsm-gitops never applies a fork's change (a maintainer can push it to a branch of this repository)`);
  // Only what is on its way into the default branch is applied: a pull request into another branch could
  // carry anything that branch holds, unreviewed.
  if (pr.baseRef !== cc.branch) throw new CommandRefusal(`#${number} merges into ${pr.baseRef}, not the default branch ${cc.branch}: only pull requests into ${cc.branch} are applied`);
  const changed = await changedPaths(cc.octokit, cc.ref, number);
  const touched = cc.policy.environments.filter((e) => changesFolder(changed, e));
  const targets = names.length > 0 ? namedEnvironments(cc, names) : touched.filter((e) => e.deploy === 'on-command');
  if (targets.length === 0) throw new CommandRefusal('this pull request changes no environment that deploys on command; name one: /fsm apply <env>');

  const commenter = cc.event.comment.user.login;
  const [checkRuns, approvals, baseChanges] = await Promise.all([
    ourCheckRuns(cc.octokit, cc.ref, pr.headSha, cc.identity),
    pullRequestApprovals(cc.octokit, cc.ref, pr, cc.people),
    baseChangesMissing(cc, pr.headSha, cc.policySha),
  ]);
  const refusals: string[] = [];
  const log: string[] = [];
  const environmentsChanged = new Set<string>();
  for (const environment of targets) {
    // Whatever its deploy mode: merging a pull request deploys only the environments it changes.
    if (!touched.includes(environment)) {
      refusals.push(describeUnmet(environment.name, [{ problem: `#${number} changes nothing in ${environment.path}/`, unblock: 'apply only an environment the pull request changes' }]));
      continue;
    }
    const held = environment.deploy === 'on-command' ? await locksOf(cc, environment, pr, log).catch((error: Error) => ({ error })) : { claim: undefined, pin: undefined };
    // A stale claim given back changes what the other pull requests' status shows, whether or not this apply goes ahead.
    if ('releasedStale' in held && held.releasedStale) environmentsChanged.add(environment.name);
    const status = await approvals.forEnvironment(environment);
    const checkRun = checkRuns.find((r) => r.name === checkRunName(environment.name));
    const unmet = unmetRequirements({
      environment,
      pr,
      commenter,
      commenterStanding: { canWrite: await cc.people.canWrite(commenter), inTeams: await cc.people.inTeams(commenter, environment.teams) },
      approvals: status,
      checkRun,
      baseChanges,
      heldBy: 'claim' in held ? held.claim : undefined,
      repository: cc.repository.fullName,
      pin: 'pin' in held ? held.pin : undefined,
    });
    if ('error' in held) unmet.push({ problem: `cannot read the claim of ${environment.name} in cluster ${environment.cluster}: ${held.error.message}`, unblock: `fix the app's access to the cluster, then /fsm apply ${environment.name}` });
    if (unmet.length > 0) {
      refusals.push(describeUnmet(environment.name, unmet));
      continue;
    }
    const client = await cc.deps.live.client(environment.cluster);
    const claim: Claim = { repository: cc.repository.fullName, pr: number, headSha: pr.headSha, actor: commenter, since: new Date().toISOString() };
    const outcome = await deployEnvironment({
      deadline: cc.deadline,
      client,
      environment,
      files: new GitHubRepoFiles(cc.octokit, cc.ref, pr.headSha),
      sha: pr.headSha,
      task: 'deploy',
      trigger: `comment:${cc.event.comment.id}`,
      pr: number,
      repository: cc.repository.fullName,
      actor: commenter,
      approvers: status.approvers,
      expectedDigest: checkRun!.record!.plan!, // unmetRequirements: there is a plan
      claim,
      trail: new DeploymentTrail(cc.octokit, cc.ref, cc.identity),
      ...(cc.event.comment.htmlUrl ? { logUrl: cc.event.comment.htmlUrl } : {}),
    });
    const report = await reportOutcome(cc, environment, pr.headSha, commenter, outcome);
    log.push(...report.log);
    if (report.refusal) refusals.push(report.refusal);
    // Claimed or given back, or the cluster changed: the other pull requests' status says who holds it, and that their plans predate it.
    if (environment.deploy === 'on-command' || (outcome.status === 'deployed' && outcome.result !== 'no-changes')) environmentsChanged.add(environment.name);
  }
  return { ...(refusals.length > 0 ? { reply: fence('text', refusals.join('\n\n')) } : {}), log, refreshStatus: true, environmentsChanged: [...environmentsChanged] };
}

/**
 * The claim of another pull request that is still open, and the environment's rollback pin. A claim whose
 * pull request was closed meanwhile is stale: it is released here (and logged), as the drift schedule would.
 */
async function locksOf(cc: CommandContext, environment: EnvironmentConfig, pr: PullRequestState, log: string[]): Promise<{ claim: Claim | undefined; pin: Pin | undefined; releasedStale?: true }> {
  const client = await cc.deps.live.client(environment.cluster);
  const pin = await new Pins(client, environment.mesh.namespace).read(environment.name);
  const claims = new Claims(client, environment.mesh.namespace);
  const claim = await claims.read(environment.name);
  if (!claim || (claim.repository === cc.repository.fullName && claim.pr === pr.number)) return { claim: undefined, pin };
  if (claim.repository === cc.repository.fullName) {
    const holder = await fetchPullRequest(cc, claim.pr).catch(() => undefined);
    if (holder && holder.state === 'closed') {
      await claims.release(environment.name, claim);
      log.push(`\`${environment.name}\`: released the stale claim of #${Number(claim.pr)} (closed)`);
      return { claim: undefined, pin, releasedStale: true };
    }
  }
  return { claim, pin };
}
