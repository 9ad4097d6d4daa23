import { randomUUID } from 'node:crypto';
import type { EnvironmentConfig, RepoConfig } from '../config/repo-config.ts';
import { hasErrors } from '../core/finding.ts';
import { keyOf, objectKey } from '../core/kube.ts';
import { fsmKindOf } from '../fsm/kinds.ts';
import { loadEnvironment } from '../desired/load-environment.ts';
import type { RepoFiles } from '../desired/repo-files.ts';
import type { DesiredEnvironment } from '../desired/desired-state.ts';
import { upgradeThenApply, type ApplyResult } from '../apply/chart-apply.ts';
import { releaseHelm, type ReleaseHelm } from '../apply/chart-upgrade.ts';
import { releaseChangedSince } from '../apply/release-later-changes.ts';
import { executeApply, type ExecuteResult } from '../apply/executor.ts';
import { recordApply, recordTime, type ApplyRecord } from '../apply/history.ts';
import { acquireLock, DEFAULT_LEASE_SECONDS, type HeldLock } from '../apply/lock.ts';
import type { LeaseHolder } from '../apply/lease-object.ts';
import type { LeaseAttempt } from '../apply/lease-attempt.ts';
import { PendingHistory, type HistoryTarget } from '../apply/pending-history.ts';
import { restartLeftPending, restartWorkloads } from '../apply/restart.ts';
import { ClusterReader } from '../kube/cluster-reader.ts';
import type { RetryPolicy } from '../kube/retry.ts';
import type { KubeApi, KubeClient } from '../kube/kube-client.ts';
import type { ApplySet } from '../plan/apply-set.ts';
import type { ChartUpgrade, EnvironmentPlan, ResourceChange } from '../plan/plan-types.ts';
import { Ahead, meanwhile } from './ahead.ts';
import { githubLocksPassed } from './github-locks.ts';
import { LiveRead } from './live-read.ts';
import { findEnvironment, planAgainst, requireRepoConfig } from './plan-repository.ts';

export interface ApplyEnvironmentOptions {
  repo: RepoFiles;
  /** `repo`'s config, when the caller has read it already (else it is read again). */
  config?: RepoConfig;
  environment: string;
  client: KubeClient;
  commit: string;
  actor: string;
  /**
   * Shown the plan; answers whether to go ahead. Not asked when there is nothing to do or the plan has errors.
   * `notices`: warnings to show after the plan, before the answer (what the GitHub App holds that this apply
   * goes past: githubLocksPassed).
   */
  confirm(plan: EnvironmentPlan, notices: readonly string[]): Promise<boolean>;
  progress?(message: string): void;
  /**
   * Told a warning as it happens, before what follows it (the lock taken over from an interrupted apply, told
   * before the plan); without it, such warnings go to progress and join the outcome's.
   */
  warn?(warning: string): void;
  lockWaitSeconds?: number;
  /** The Lease's duration (default DEFAULT_LEASE_SECONDS); tests shorten it. */
  leaseSeconds?: number;
  /** Epoch ms: the whole command's deadline (--timeout). Undoing and recording an apply get ROLLBACK_GRACE_MS beyond it. */
  deadline?: number;
  /** Where history records the cluster does not take are kept until the next apply (default: the user's state directory). */
  pending?: PendingHistory;
  /** The helm a chart upgrade runs with (default: the real helm, releaseHelm); tests pass a stand-in. */
  helm?: CarryOutOptions['helm'];
  /** The Lease's create and the live read, sent before this module was loaded (the CLI's head start); taken over, or let go. */
  ahead?: ApplyAhead;
  /**
   * Stops the apply (the CLI's Ctrl-C: apply-interruption.ts). Before the writes: the lock wait, the live read and
   * the question stop, nothing is written, the Lease is released, and applyEnvironment rejects with its reason.
   * During them: no further write starts, a running helm upgrade is stopped, and what was written is rolled back
   * and recorded as usual (the outcome says so). The rollback, the history and the release are not stopped by it.
   */
  signal?: AbortSignal;
}

/**
 * What a caller started before calling applyEnvironment (the CLI, src/cli/apply-head-start.ts): the create of
 * `environment`'s Lease (for `actor` and `commit`), and the live read of its mesh, started only once that create
 * was answered 201. applyEnvironment takes the Lease over as acquireLock's first create (lock.ts) and plans
 * against that read; what it does not use, it lets go of (the read stopped, not waited for) before it returns or throws.
 */
export interface ApplyAhead {
  lease: LeaseAttempt;
  /** The live read started under the Lease; undefined when the create was not answered 201. */
  read: Promise<LiveRead | undefined>;
  /**
   * Stops the read (Ahead.stop: no further request or retry, those in flight cut off; a no-op once it has finished;
   * not started if the create is answered later), and resolves once it has ended. Never rejects.
   */
  stopRead(): Promise<void>;
  /** Lets go of both: stops the read (stopRead), then releases the Lease if it was taken (LeaseAttempt.abandon). */
  abandon(client: KubeApi): Promise<string | undefined>;
}

/** `warnings`: what went wrong without changing the outcome (history kept locally, lock not released), in every status. */
export type ApplyOutcome = { warnings: string[] } & (
  | { status: 'refused'; plan: EnvironmentPlan; reason: string }
  | { status: 'no-changes'; plan: EnvironmentPlan }
  | { status: 'declined'; plan: EnvironmentPlan }
  | { status: 'done'; plan: EnvironmentPlan; result: ApplyResult }
);

/** Time a rollback, the history write and the lock release get after the command's deadline or a failure. */
export const ROLLBACK_GRACE_MS = 60_000;

/**
 * How a rollback's requests retry: until its time is up (backoff up to 5 s), not five tries in about 3 s: an API
 * server restarting takes longer, and a step given up leaves the cluster half-applied. (The history and the lock
 * release keep the client's policy: a record not written is kept locally, and a Lease expires by itself.)
 */
export const ROLLBACK_RETRY: RetryPolicy = { attempts: 100, baseDelayMs: 200, maxDelayMs: 5_000 };

/** `client` with ROLLBACK_GRACE_MS from now, named so in the error when it runs out (not the command's --timeout). */
export function withRollbackGrace(client: KubeClient): KubeClient {
  return client.withDeadline(Date.now() + ROLLBACK_GRACE_MS, `the rollback's time (${ROLLBACK_GRACE_MS / 1000} s after a failure, for the rollback, the history and the lock release)`);
}

/** The client a rollback writes with: the grace period, retrying by ROLLBACK_RETRY. */
export function rollbackClient(client: KubeClient): KubeClient {
  return withRollbackGrace(client).withRetryPolicy(ROLLBACK_RETRY);
}

/**
 * The CLI's apply: plans one environment of a folder against its cluster under the environment's lock,
 * and applies it if the plan has no errors and is confirmed (a pull request's claim or a rollback's pin, which
 * the GitHub App keeps, does not stop it: confirm is given them to show, githubLocksPassed). Every apply, successful or not, is recorded
 * in the history; when the cluster does not take the record, it is kept locally (PendingHistory) and
 * written by the next apply, and the outcome is returned all the same.
 */
export async function applyEnvironment(options: ApplyEnvironmentOptions): Promise<ApplyOutcome> {
  const grace = (): KubeClient => withRollbackGrace(options.client);
  const { ahead, progress } = options;
  let environment: EnvironmentConfig;
  try {
    environment = findEnvironment(options.config ?? (await requireRepoConfig(options.repo)), options.environment);
  } catch (error) {
    await ahead?.abandon(grace());
    throw error;
  }
  const client = options.deadline === undefined ? options.client : options.client.withDeadline(options.deadline);
  const target = { server: client.server, namespace: environment.mesh.namespace, environment: environment.name };
  const warnings: string[] = [];
  const { signal } = options;
  const lease = { holder: options.actor, commit: options.commit, waitSeconds: options.lockWaitSeconds, leaseSeconds: options.leaseSeconds, progress, releaseClient: grace, onReleaseFailure: (w: string) => warnings.push(w), onTakeover: (w: string) => (options.warn ? options.warn(w) : (progress?.(w), warnings.push(w))), sentAhead: ahead?.lease, signal };
  // The plan's reads stop at an interrupt; the Lease's renewals and the writes keep `client` (a write is never cut off halfway).
  const reads = signal ? client.withSignal(signal) : client;
  // Reading the files needs no lock: they are loaded while the Lease is taken.
  const desired = Ahead.start(() => loadEnvironment(options.repo, environment));
  try {
    return await afterwards(desired, underLease(client, environment, lease, async (lock) => {
      const heldSince = new Date();
      const pending = options.pending ?? new PendingHistory();
      // The live state is read from the moment the Lease is held (or was, ahead), while earlier records are written.
      const read = ahead && (await ahead.lease.held()) === lock ? await ahead.read : undefined;
      const planning = Ahead.start(() => planLive(reads, desired, environment, progress, read));
      try {
        const flushed = await pending.flush(client, target);
        if (flushed > 0) progress?.(`${environment.name}: wrote ${flushed} history record(s) an earlier apply could not`);
      } catch (error) {
        warnings.push(`history records an earlier apply kept on this machine could not be written yet (${(error as Error).message}); they stay kept for the next apply`);
      }
      const { plan, set } = await planning.result();
      if (hasErrors(plan.findings)) return { status: 'refused', plan, reason: 'the plan has errors: fix them first', warnings };
      if (!hasWork(plan, set)) return { status: 'no-changes', plan, warnings };
      if (!(await options.confirm(plan, await githubLocksPassed(reads, environment)))) return { status: 'declined', plan, warnings };
      signal?.throwIfAborted();
      const helm = options.helm ?? ((upgrade: ChartUpgrade) => releaseHelm(client, environment.redactKeys ?? [], upgrade));
      const result = await carryOut(client, environment, plan, set, options.commit, { progress, fence: () => lock.fence(), confirm: () => lock.confirm(), rollbackClient: () => rollbackClient(options.client), deadline: options.deadline, helm, signal });
      const record = { commit: options.commit, time: recordTime(heldSince, result), actor: options.actor, result: result.result, changes: result.done, ...(result.message ? { message: result.message } : {}), ...(result.helm ? { helm: result.helm } : {}) };
      const kept = await recordOrKeep(grace(), target, record, pending);
      if (kept) warnings.push(kept);
      return { status: 'done', plan, result, warnings };
    }));
  } finally {
    // A read started ahead and not used (its Lease was not the one taken, or the apply failed before it got
    // there) is stopped, not waited for: nothing of it runs on when the outcome, or the error, is told.
    await ahead?.stopRead();
  }
}

/**
 * `outcome`, once `started` has finished too: work started ahead and never awaited (the Lease was not
 * taken, the history said it was done) is not left running when the caller hears the outcome.
 */
export async function afterwards<T>(started: Ahead<unknown>, outcome: Promise<T>): Promise<T> {
  try {
    return await outcome;
  } finally {
    await started.settled();
  }
}

/**
 * Records the apply in the cluster's history; when that fails, keeps it locally and says where; returns that
 * warning, or the history's own (an unreadable history kept aside), else undefined. The id is fixed first: a write that went through unanswered and the copy kept locally are
 * the same record, so the next apply's flush finds it written and does not add it twice.
 */
async function recordOrKeep(client: KubeClient, target: HistoryTarget, record: ApplyRecord, pending: PendingHistory): Promise<string | undefined> {
  const identified = { ...record, id: record.id ?? randomUUID() };
  try {
    let warning: string | undefined;
    await recordApply(client, target.namespace, target.environment, identified, { warn: (message) => (warning = message) });
    return warning;
  } catch (error) {
    const why = (error as Error).message;
    try {
      const file = pending.keep(target, identified);
      return `the apply history could not be written to the cluster (${why}); it is kept in ${file} and the next apply of ${target.environment} writes it`;
    } catch (diskError) {
      return `the apply history could not be written to the cluster (${why}) nor kept on this machine (${(diskError as Error).message})`;
    }
  }
}

export interface LeaseRequest {
  holder: string;
  commit: string;
  waitSeconds?: number | undefined;
  leaseSeconds?: number | undefined;
  progress?: ((message: string) => void) | undefined;
  /** The client that releases the Lease (the command's deadline may have passed by then). */
  releaseClient?: () => KubeApi;
  /** Told when the Lease could not be released; the work's outcome stands (the Lease expires by itself). */
  onReleaseFailure?: (warning: string) => void;
  /** Told when an interrupted apply's expired Lease was taken over (a warning); without it, progress is. */
  onTakeover?: (warning: string) => void;
  /** The Lease's create, sent ahead (acquireLock's `sentAhead`). */
  sentAhead?: LeaseAttempt | undefined;
  /** Stops the wait for another apply's Lease (acquireLock's). */
  signal?: AbortSignal | undefined;
}

/**
 * Runs `work` holding the environment's Lease (one apply at a time, renewed meanwhile; `work` fences its
 * writes with it), and releases it whatever happens. A failed release never hides the work's outcome.
 */
export async function underLease<T>(client: KubeApi, environment: EnvironmentConfig, lease: LeaseRequest, work: (lock: HeldLock) => Promise<T>): Promise<T> {
  lease.progress?.(`${environment.name}: taking the apply lock`);
  const lock = await acquireLock(client, environment.mesh.namespace, environment.name, {
    holder: lease.holder,
    commit: lease.commit,
    waitSeconds: lease.waitSeconds,
    leaseSeconds: lease.leaseSeconds,
    onWait: waitReporter(environment.name, lease.progress),
    signal: lease.signal,
    onTakeover: (holder, now) => {
      const expired = Math.max(0, Math.round((now.getTime() - holder.expiresAt) / 1000));
      const message = `${environment.name}: took over the apply lock of ${describeHolder(holder)}, which stopped renewing it without releasing it (it expired ${expired} s ago): that apply was interrupted, and what it wrote stays (its history record may be missing; this plan shows where the environment stands)`;
      if (lease.onTakeover) lease.onTakeover(message);
      else lease.progress?.(message);
    },
  }, lease.sentAhead);
  try {
    return await work(lock);
  } finally {
    try {
      await lock.release(lease.releaseClient?.());
    } catch (error) {
      const warning = `the apply lock of ${environment.name} could not be released (${(error as Error).message}); it expires by itself within ${lease.leaseSeconds ?? DEFAULT_LEASE_SECONDS} s`;
      lease.progress?.(warning);
      lease.onReleaseFailure?.(warning);
    }
  }
}

/**
 * The environment's files planned against its cluster, with the server's dry run. The live read starts at
 * once; the files (`desired`: loading already, or read from `desired` meanwhile) are awaited while it is
 * answered. Called under the Lease: nothing is read from the cluster before this call, but `started`, a read of
 * the environment's mesh started under the same Lease (the CLI's head start).
 */
export async function planLive(
  client: KubeClient,
  desired: RepoFiles | Ahead<DesiredEnvironment>,
  environment: EnvironmentConfig,
  progress?: (message: string) => void,
  started?: LiveRead,
): Promise<{ plan: EnvironmentPlan; set: ApplySet }> {
  progress?.(`${environment.name}: reading live state from ${client.server}`);
  const read = started ?? LiveRead.start(new ClusterReader(client), environment.mesh);
  const loaded = await meanwhile([read.state], () => (desired instanceof Ahead ? desired.result() : loadEnvironment(desired, environment)));
  return planAgainst(loaded, read, { progress });
}

/** Whether applying the plan would change anything in the cluster: objects to write or prune, or a chart upgrade. */
export function hasWork(plan: EnvironmentPlan, set: ApplySet): boolean {
  return changedKeys(plan.changes).size > 0 || set.prune.length > 0 || set.chart !== undefined;
}

export interface CarryOutOptions {
  progress?: ((message: string) => void) | undefined;
  /** The Lease's fence, run before every write. */
  fence?: () => void;
  /** The Lease's confirm, run after the objects' last write (HeldLock.confirm). */
  confirm?: () => Promise<void>;
  /** A client with time left for a rollback. */
  rollbackClient?: () => KubeApi;
  /** Epoch ms: the command's deadline; a chart upgrade's timeout is cut to fit before it. */
  deadline?: number | undefined;
  /** The helm that upgrades the release, when the plan has a chart upgrade (production: releaseHelm, the real helm). */
  helm?: ((upgrade: ChartUpgrade) => Promise<ReleaseHelm>) | undefined;
  /** Stops the work at its next write (ExecuteOptions.signal) or the helm upgrade (ChartStepOptions.signal); what was written is rolled back. */
  signal?: AbortSignal | undefined;
}

/**
 * Applies a planned environment: its chart upgrade first when the plan has one (chart-apply.ts: helm rolled
 * back if a later step fails), then the objects (creates and updates, then prunes) and, when its policy says
 * so, restarts the workloads. Never throws once it wrote: a failed restart after a good apply is in the
 * result's message.
 */
export async function carryOut(client: KubeApi, environment: EnvironmentConfig, plan: EnvironmentPlan, set: ApplySet, commit: string, options: CarryOutOptions = {}): Promise<ApplyResult> {
  const { progress } = options;
  const objects = (): Promise<ExecuteResult> =>
    executeApply(client, set, { commit, environment: environment.name, changed: changedKeys(plan.changes), progress, fence: options.fence, confirm: options.confirm, rollbackClient: options.rollbackClient, signal: options.signal });
  const upgrade = set.chart;
  let result: ApplyResult;
  if (upgrade && environment.chart?.upgrade) {
    if (!options.helm) throw new Error(`the plan of ${environment.name} upgrades the chart, and no helm was given to run it`);
    const helm = await options.helm(upgrade);
    const laterChanges = (since: number) => releaseChangedSince(options.rollbackClient?.() ?? client, upgrade.objects, upgrade.release.namespace, since);
    result = await upgradeThenApply(upgrade, environment.chart, { helm, fence: options.fence, deadline: options.deadline, progress, laterChanges, signal: options.signal }, objects);
  } else {
    result = await objects();
  }
  if (result.result === 'failed' && plan.restarts.length > 0) {
    const meshConfig = set.apply.find((o) => o.kind === 'MeshConfig');
    const pending = await restartLeftPending(client, meshConfig && set.live?.get(objectKey(meshConfig)), plan.restarts);
    if (pending) return { ...result, message: `${result.message ?? 'failed'}. ${pending}` };
  }
  if (result.result === 'applied' && environment.restart === 'rollout' && plan.restarts.length > 0) {
    try {
      options.signal?.throwIfAborted();
      options.fence?.();
      await restartWorkloads(client, plan.restarts, new Date(), progress);
    } catch (error) {
      return { ...result, message: `applied, but restarting the workloads failed: ${(error as Error).message}; restart them by hand (kubectl rollout restart)` };
    }
  }
  return result;
}

/** objectKeys of the plan's creates and updates of FSM objects (the chart's objects and HelmValues are the chart upgrade's: ApplySet.chart). */
function changedKeys(changes: readonly ResourceChange[]): Set<string> {
  return new Set(
    changes
      .filter((c) => (c.action === 'create' || c.action === 'update') && fsmKindOf({ apiVersion: c.apiVersion, kind: c.kind, metadata: { name: c.name } }) !== undefined)
      .map((c) => keyOf(c.apiVersion, c.kind, c.namespace, c.name)),
  );
}

/** How often the wait for another apply's Lease is said again while nothing changes (ms). */
const WAIT_REPORT_EVERY_MS = 10_000;

/**
 * The lock wait as progress: said when it starts, when the holder changes, and every WAIT_REPORT_EVERY_MS, with
 * when the holder's Lease expires unless renewed (a killed apply's is taken over then), not once a poll.
 */
function waitReporter(environment: string, progress: ((message: string) => void) | undefined): (holder: LeaseHolder, now: Date) => void {
  let said: { identity: string; at: number } | undefined;
  return (holder, now) => {
    if (said && said.identity === holder.identity && now.getTime() - said.at < WAIT_REPORT_EVERY_MS) return;
    said = { identity: holder.identity, at: now.getTime() };
    const expires = Math.max(0, Math.ceil((holder.expiresAt - now.getTime()) / 1000));
    progress?.(`${environment}: waiting for ${describeHolder(holder)} to finish (its lock expires in ${expires} s unless it renews it)`);
  };
}

const describeHolder = (holder: LeaseHolder): string => `${holder.identity}${holder.commit ? ` (commit ${holder.commit})` : ''}`;
