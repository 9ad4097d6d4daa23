import type { EnvironmentConfig } from '../config/repo-config.ts';
import { withWarnings } from '../core/error-warnings.ts';
import { hasErrors } from '../core/finding.ts';
import type { RepoFiles } from '../desired/repo-files.ts';
import { describeSteps, type ApplyResult, type HelmRevisions } from '../apply/chart-apply.ts';
import { releaseHelm } from '../apply/chart-upgrade.ts';
import { historyName, readHistory, recordApply, recordTime, type ApplyRecord } from '../apply/history.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { ChartUpgrade, EnvironmentPlan } from '../plan/plan-types.ts';
import type { DeploymentPayload, DeploymentTask, DeploymentTrail, RecordedDeployment } from '../github/deployment-trail.ts';
import { loadEnvironment } from '../desired/load-environment.ts';
import { Ahead } from '../workflow/ahead.ts';
import { afterwards, carryOut, hasWork, planLive, rollbackClient, underLease, withRollbackGrace, type CarryOutOptions } from '../workflow/apply-environment.ts';
import { Claims, type Claim } from './claims.ts';
import { planDigest } from './plan-digest.ts';

export interface DeployRequest {
  client: KubeClient;
  /** The environment's policy, from the default branch. */
  environment: EnvironmentConfig;
  /** The repository at `sha`. */
  files: RepoFiles;
  sha: string;
  task: DeploymentTask;
  /** `comment:<id>` or `merge:<sha>`: recorded in the history and the Deployment, so it acts once. */
  trigger: string;
  pr: number | null;
  /** `owner/name` of the repository `pr` belongs to: recorded beside it. */
  repository: string;
  actor: string;
  approvers: string[];
  /** Apply only if the plan made now has this digest (what the review showed). */
  expectedDigest?: string;
  /** Hold the environment for this pull request (apply before merge). */
  claim?: Claim;
  trail: DeploymentTrail;
  /** Where people read about it: the PR comment or the check run. */
  logUrl?: string;
  /** Epoch ms after which no write starts (the event's deadline); a rollback and the history get ROLLBACK_GRACE_MS more. */
  deadline: number;
  progress?(message: string): void;
  /** The helm a chart upgrade runs with (default: the real helm, releaseHelm); tests pass a stand-in. */
  helm?: CarryOutOptions['helm'];
}

/**
 * How a deploy ended. `warnings`, in every status: what went wrong without changing it (an interrupted apply's
 * lock taken over, the lock not released, the history or a final status not written).
 */
export type DeployOutcome = { warnings: string[] } & (
  /**
   * The trigger acted before: nothing was done again. `said`: what its Deployment's final status says
   * (or its history record), for a report an earlier try could not make.
   */
  | { status: 'duplicate'; deployment: RecordedDeployment | undefined; record: ApplyRecord | undefined; said?: { succeeded: boolean; description: string } }
  | { status: 'refused'; reason: string; plan?: EnvironmentPlan }
  | { status: 'plan-changed'; plan: EnvironmentPlan; digest: string }
  /** The plan is not the one shown only because nothing is left to do: the cluster matches the commit (applied since). */
  | { status: 'in-sync'; plan: EnvironmentPlan }
  | { status: 'claimed'; holder: Claim; plan: EnvironmentPlan }
  | { status: 'deployed'; plan: EnvironmentPlan; digest: string; deployment: RecordedDeployment; result: ApplyResult | 'no-changes' }
);

/**
 * States after which the trigger has acted. Not `error`: that apply stopped before its first write (carryOut
 * throws only then), so another try of the same trigger (the delivery's retry) may carry it out.
 */
const TERMINAL = new Set(['success', 'failure', 'inactive']);
/** How long a duplicate trigger waits for the history's record of what it did (its report's words). */
const DUPLICATE_READ_MS = 10_000;


/**
 * Applies an environment for the GitHub App, as DESIGN.md's "Deploying from GitHub" says: under the
 * environment's Lease it plans the commit again, refuses when the plan has errors or differs from the one
 * shown, takes the claim (given back when the apply leaves nothing applied: refused, rolled back, stopped),
 * records a GitHub Deployment (in_progress, then success or failure), applies,
 * and records the apply in the cluster's history. A trigger (comment id, merge SHA) acts once: a Deployment
 * in a terminal state or a history entry with it stops a second run before anything is written.
 * Throws when it stops before its first write (a GitHub or API server error, helm that cannot be set up):
 * the Deployment, if made, is then `error`, and a later call with the same trigger tries again on it. The error
 * carries the warnings gathered before it (warningsOf: a lock taken over, a Lease not released). Once
 * it has written, it does not throw for GitHub: a final status GitHub refuses is a warning of the outcome.
 */
export async function deployEnvironment(request: DeployRequest): Promise<DeployOutcome> {
  const { environment, trail, progress } = request;
  const previous = await trail.find(environment.name, request.sha, request.trigger);
  const last = previous && (await trail.latestStatus(previous.id));
  if (previous && last && TERMINAL.has(last.state)) {
    // The history has the whole message; the status, GitHub's 140 characters of it. Best effort, for a few
    // seconds: a redelivery must not wait on a cluster that does not answer, and a failed read leaves the status.
    const record = await readHistory(request.client.withDeadline(Math.min(request.deadline, Date.now() + DUPLICATE_READ_MS)), environment.mesh.namespace, environment.name).then((h) => h.find((r) => r.trigger === request.trigger), () => undefined);
    const description = record ? describeRecord(record) : last.state === 'inactive' ? 'applied; a later deploy has superseded it' : last.description;
    return { status: 'duplicate', deployment: previous, record, said: { succeeded: last.state !== 'failure', description }, warnings: [] };
  }

  const holder = `github-app/${request.trigger}`;
  const client = request.client.withDeadline(request.deadline);
  const grace = (): KubeClient => withRollbackGrace(request.client);
  const warnings: string[] = [];
  const lease = { holder, commit: request.sha, waitSeconds: 60, progress, releaseClient: grace, onReleaseFailure: (w: string) => warnings.push(w), onTakeover: (w: string) => warnings.push(w) };
  // The commit's files need no lock: they are fetched while the Lease is taken and the history read.
  const desired = Ahead.start(() => loadEnvironment(request.files, environment));
  // The warnings of the Lease's release too, which comes after the outcome; an error carries those gathered before it.
  const outcome = await afterwards(desired, underLease(client, environment, lease, async (lock): Promise<DistributiveOmit<DeployOutcome, 'warnings'>> => {
    const heldSince = new Date();
    const history = await readHistory(client, environment.mesh.namespace, environment.name);
    const done = history.find((r) => r.trigger === request.trigger);
    if (done) {
      // Best effort: the history answers for the trigger, and a status GitHub refuses again is set by a later redelivery.
      if (previous) await trail.setStatus(previous.id, done.result === 'applied' ? 'success' : 'failure', describeRecord(done), request.logUrl).catch(() => undefined);
      return { status: 'duplicate', deployment: previous, record: done, said: { succeeded: done.result === 'applied', description: describeRecord(done) } };
    }

    const { plan, set } = await planLive(client, desired, environment, progress);
    if (hasErrors(plan.findings)) return { status: 'refused', reason: `the plan of ${request.sha.slice(0, 7)} has errors`, plan };
    const digest = planDigest(plan);
    if (request.expectedDigest !== undefined && digest !== request.expectedDigest) return hasWork(plan, set) ? { status: 'plan-changed', plan, digest } : { status: 'in-sync', plan };
    let releaseClaim = async (): Promise<void> => {};
    if (request.claim) {
      const taken = await new Claims(client, environment.mesh.namespace).take(environment.name, request.claim);
      if (!taken.taken) return { status: 'claimed', holder: taken.holder, plan };
      const claim = request.claim;
      // Best effort, like the history: a claim left behind is shown, and /fsm unlock releases it.
      releaseClaim = () => new Claims(grace(), environment.mesh.namespace).restore(environment.name, claim, taken.previous).catch((error: Error) => void warnings.push(`the claim of ${environment.name} could not be given back (${error.message}); /fsm unlock ${environment.name} releases it`));
    }

    const deployment =
      previous ??
      (await trail.create({
        environment: environment.name,
        sha: request.sha,
        task: request.task,
        production: environment.production,
        description: `${request.task === 'deploy' ? 'apply' : 'rollback to'} ${request.sha.slice(0, 7)} by ${request.actor}`,
        payload: {
          trigger: request.trigger,
          pr: request.pr,
          planDigest: digest,
          approvers: request.approvers,
          actor: request.actor,
          history: `${environment.mesh.namespace}/${historyName(environment.name)}#${request.trigger}`,
          ...(set.chart ? { helm: plannedUpgrade(set.chart) } : {}),
        },
      }));
    let result: ApplyResult | 'no-changes' = 'no-changes';
    const helm = request.helm ?? ((upgrade: ChartUpgrade) => releaseHelm(request.client, environment.redactKeys ?? [], upgrade));
    try {
      await trail.setStatus(deployment.id, 'in_progress', `applying ${request.sha.slice(0, 7)}`, request.logUrl);
      if (hasWork(plan, set)) result = await carryOut(client, environment, plan, set, request.sha, { progress, fence: () => lock.fence(), confirm: () => lock.confirm(), rollbackClient: () => rollbackClient(request.client), deadline: request.deadline, helm });
    } catch (error) {
      // Nothing was written. The Deployment says so; if GitHub cannot be told, its missing status says it too
      // (neither is terminal), and the error that stopped the apply is the one the caller hears.
      await releaseClaim();
      await trail.setStatus(deployment.id, 'error', `stopped before writing: ${(error as Error).message}`, request.logUrl).catch(() => undefined);
      throw error;
    }
    // Nothing of this pull request is left applied: it does not hold the environment for it.
    if (result !== 'no-changes' && (result.result === 'rolled-back' || result.result === 'refused')) await releaseClaim();
    const record: ApplyRecord = {
      commit: request.sha,
      time: recordTime(heldSince, result === 'no-changes' ? {} : result),
      actor: request.actor,
      result: result === 'no-changes' ? 'applied' : result.result,
      changes: result === 'no-changes' ? [] : result.done,
      trigger: request.trigger,
      task: request.task === 'deploy' ? 'deploy' : 'rollback',
      ...(request.pr !== null ? { pr: request.pr } : {}),
      repository: request.repository,
      deployment: deployment.id,
      planDigest: digest,
      ...(result !== 'no-changes' && result.message ? { message: result.message } : {}),
      ...(result !== 'no-changes' && result.helm ? { helm: result.helm } : {}),
    };
    try {
      await recordApply(grace(), environment.mesh.namespace, environment.name, record, { warn: (warning) => warnings.push(warning) });
    } catch (error) {
      // The Deployment below still records the outcome, and its terminal state keeps the trigger from acting twice.
      warnings.push(`the apply history could not be written to the cluster (${(error as Error).message}); Deployment ${deployment.id} records this apply`);
    }
    const succeeded = record.result === 'applied';
    try {
      await trail.setStatus(deployment.id, succeeded ? 'success' : 'failure', describeRecord(record), request.logUrl);
      if (succeeded) await trail.deactivatePrevious(environment.name, deployment.id);
    } catch (error) {
      // The apply ran and the cluster's history has it: GitHub refusing the status (after its own retries) must
      // not make it read as stopped, nor open a failure issue for an apply that worked.
      warnings.push(`GitHub did not take Deployment ${deployment.id}'s final status (${(error as Error).message}); it reads in_progress until this event is delivered again, which sets it from the cluster's history`);
    }
    return { status: 'deployed', plan, digest, deployment, result };
  })).catch((error: unknown) => Promise.reject(withWarnings(error, warnings)));
  return { ...outcome, warnings };
}

/** Omit applied to each member of a union (the built-in Omit merges the members into one). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** One line for a Deployment status (GitHub cuts it at 140 characters). */
export function describeRecord(record: ApplyRecord): string {
  const outcome = recordOutcome(record);
  return record.result === 'applied' ? `${record.task === 'rollback' ? 'rolled back to' : 'applied'} ${record.commit.slice(0, 7)}: ${outcome}` : outcome;
}

/** What an apply of the history did, without naming its commit: `1 object(s) applied`, `failed and rolled back: …`. */
export function recordOutcome(record: ApplyRecord): string {
  if (record.result === 'applied') return `${describeSteps(record.changes, record.changeCount ?? record.changes.length)}${helmRevisions(record.helm)}`;
  const how = { 'rolled-back': 'failed and rolled back', refused: 'refused, nothing written', failed: 'failed, cluster needs attention' }[record.result];
  return `${how}: ${record.message ?? ''}`;
}

/** `; Helm revision 3 → 4`: where the release went (before the rest of the status line, which GitHub may cut). */
export function helmRevisions(helm: HelmRevisions | undefined): string {
  if (!helm) return '';
  const chart = (after: { chartVersion: string }) => (after.chartVersion === helm.before.chartVersion ? after.chartVersion : `${helm.before.chartVersion} → ${after.chartVersion}`);
  return `; Helm revision ${helm.before.revision} → ${helm.after ? `${helm.after.revision} (chart ${chart(helm.after)})` : 'unknown'}`;
}

/** The Deployment's record of the upgrade it runs: the release, its revision and chart before, the chart planned (the status says the revision after). */
function plannedUpgrade(upgrade: ChartUpgrade): DeploymentPayload['helm'] {
  return { release: `${upgrade.release.namespace}/${upgrade.release.name}`, revisionBefore: upgrade.fromRevision, chartBefore: upgrade.fromVersion, chartAfter: upgrade.toVersion };
}
