import { withTempFolder } from '../core/temp-folder.ts';
import { writeChart } from '../chart/render-release.ts';
import type { ChartPolicy } from '../config/repo-config.ts';
import { HelmClient, helmClientOptionsFromEnv } from '../helm/helm-client.ts';
import { HelmRunner } from '../helm/helm-runner.ts';
import type { ClusterConnection } from '../kube/cluster-connection.ts';
import { isPending } from '../live/helm-release.ts';
import type { ChartUpgrade } from '../plan/plan-types.ts';
import { HELM_VALUES_KIND } from '../redact/plan-redaction.ts';
import { Redactor } from '../redact/redactor.ts';
import { LeaseLostError } from './lease-renewal.ts';

/** The helm operations apply runs on the FSM release (HelmClient's; tests pass a stand-in). */
export type ReleaseHelm = Pick<HelmClient, 'upgrade' | 'rollback' | 'history'>;

/**
 * The real helm (helm-binary.ts finds it) bound to the environment's cluster, with FSM_GITOPS_HELM_SERVER_SIDE;
 * its messages redacted with the environment's `redact.keys` and the credentials in the upgrade's values.
 */
export async function releaseHelm(cluster: { connection(): Promise<ClusterConnection> }, redactKeys: readonly string[], upgrade: ChartUpgrade, env: Record<string, string | undefined> = process.env): Promise<ReleaseHelm> {
  const redactor = new Redactor([...redactKeys]);
  redactor.learn(HELM_VALUES_KIND, upgrade.values);
  return new HelmClient(new HelmRunner({ redactor }), await cluster.connection(), helmClientOptionsFromEnv(env));
}

/** Time helm gets besides its own timeout: fetching the chart, rendering, writing the objects, recording the release. */
export const HELM_WRITE_MS = 30_000;
/** Time kept before the command's deadline, after the upgrade, for the MeshConfig and plugin objects. */
export const OBJECTS_RESERVE_MS = 30_000;
/** An upgrade whose helm timeout would be shorter than this is not started. */
export const MIN_HELM_TIMEOUT_MS = 10_000;
/** helm's own default `--timeout` (5m), for the hooks of an upgrade that does not wait for the rollout. */
const HELM_DEFAULT_TIMEOUT_MS = 300_000;
/** A rollback restores the objects without waiting for their rollout: it fits in the rollback grace (ROLLBACK_GRACE_MS). */
export const ROLLBACK_TIMEOUT_MS = 45_000;

export interface ChartStepOptions {
  helm: ReleaseHelm;
  /** The Lease's fence (HeldLock.fence): throws LeaseLostError. Run before the upgrade and before a rollback. */
  fence?: (() => void) | undefined;
  /** Epoch ms: the command's deadline; the upgrade's timeout is cut to fit before it. */
  deadline?: number | undefined;
  progress?: ((message: string) => void) | undefined;
  now?: () => number;
  /**
   * The release's objects someone else changed at or after `since` (epoch ms), one line each
   * (release-later-changes.ts releaseChangedSince): a rollback is not run over them. Absent: not checked.
   */
  laterChanges?: ((since: number) => Promise<string[]>) | undefined;
  /** Stops the upgrade (an interrupted apply): not started once aborted, helm stopped (SIGTERM) while it runs. A rollback ignores it. */
  signal?: AbortSignal | undefined;
}

export type UpgradeOutcome =
  | { status: 'upgraded'; revision: number }
  /** Nothing was sent to helm: too little time left, or the Lease lost (`leaseLost`). */
  | { status: 'not-started'; message: string; leaseLost?: true }
  | { status: 'failed'; message: string };

/**
 * The timeouts of an upgrade, in ms: `helm` is helm's own `--timeout` (the rollout wait, or helm's 5m default
 * for hooks when `chart.wait.timeoutSeconds` is 0), at most what is left before `deadline` after HELM_WRITE_MS
 * for helm's writes and OBJECTS_RESERVE_MS for the objects; `run` kills helm HELM_WRITE_MS after that, so a
 * timed-out wait is recorded as failed by helm itself, not left pending. undefined when `helm` would be under
 * MIN_HELM_TIMEOUT_MS.
 */
export function upgradeTimeouts(policy: ChartPolicy, now: number, deadline: number | undefined): { helm: number; run: number } | undefined {
  const wanted = policy.waitTimeoutSeconds > 0 ? policy.waitTimeoutSeconds * 1000 : HELM_DEFAULT_TIMEOUT_MS;
  const left = deadline === undefined ? wanted : deadline - now - HELM_WRITE_MS - OBJECTS_RESERVE_MS;
  const helm = Math.min(wanted, left);
  return helm < MIN_HELM_TIMEOUT_MS ? undefined : { helm, run: helm + HELM_WRITE_MS };
}

/**
 * `helm upgrade` of the release with exactly the chart and values the plan rendered (values reset; the
 * deployed release's own chart written out again, or the chart from the repository), waiting for the rollout
 * (`--wait=watcher`) unless `chart.wait.timeoutSeconds` is 0. Never throws: a failure is the outcome.
 */
export async function upgradeChart(upgrade: ChartUpgrade, policy: ChartPolicy, options: ChartStepOptions): Promise<UpgradeOutcome> {
  const timeouts = upgradeTimeouts(policy, (options.now ?? Date.now)(), options.deadline);
  if (!timeouts) return { status: 'not-started', message: `too little time is left before the apply's deadline to upgrade the chart (helm needs ${(MIN_HELM_TIMEOUT_MS + HELM_WRITE_MS + OBJECTS_RESERVE_MS) / 1000} s at least): run it again with a longer --timeout` };
  if (options.signal?.aborted) return { status: 'not-started', message: reasonOf(options.signal) };
  try {
    options.fence?.();
  } catch (error) {
    if (error instanceof LeaseLostError) return { status: 'not-started', message: error.message, leaseLost: true };
    throw error;
  }
  const wait = policy.waitTimeoutSeconds > 0;
  const cut = wait && timeouts.helm < policy.waitTimeoutSeconds * 1000;
  options.progress?.(`helm upgrade ${name(upgrade)} to chart ${upgrade.toVersion}${wait ? `, waiting up to ${Math.round(timeouts.helm / 1000)} s for the rollout` : ' (not waiting for the rollout)'}`);
  try {
    const revision = await withTempFolder('fsm-gitops-upgrade-', async (folder) => {
      const chart = { path: await writeChart(upgrade.chart, folder) };
      return options.helm.upgrade(upgrade.release, chart, upgrade.values, { timeoutMs: timeouts.run, helmTimeoutMs: timeouts.helm, wait, signal: options.signal });
    });
    return { status: 'upgraded', revision };
  } catch (error) {
    const message = (error as Error).message;
    if (!cut || options.signal?.aborted) return { status: 'failed', message };
    // A rollout slower than the cut wait fails although the policy allowed it time: say so, and how to give it.
    const waited = `helm waited ${Math.round(timeouts.helm / 1000)} s for the rollout, not chart.wait.timeoutSeconds' ${policy.waitTimeoutSeconds} s: that is all the time the apply had left (the CLI's --timeout; in the app, the worker's time); give the apply more time or lower chart.wait.timeoutSeconds`;
    return { status: 'failed', message: `${message} (${waited})` };
  }
}

export type RollbackOutcome =
  /** `revision`: the one the rollback made; undefined when the history could not be read after it. */
  | { status: 'rolled-back'; revision: number | undefined }
  /** The failed upgrade made no revision: the release is as it was. */
  | { status: 'unchanged' }
  /** Not run: it would write over what someone changed since the upgrade (`changed`, one line each), or that could not be checked. */
  | { status: 'left'; changed: string[]; message: string }
  | { status: 'lease-lost'; message: string }
  | { status: 'failed'; message: string };

/**
 * Takes the release back to the revision the plan diffed against (`helm rollback`, recorded by helm as a new
 * revision), unless the newest revision is still that one, deployed (the upgrade wrote nothing). Works from a
 * release an upgrade left pending or failed: Helm allows a rollback there, and it is what clears a
 * pending-upgrade that a killed helm leaves behind. Not when the Lease is lost: another apply may be writing.
 * Not when someone else changed the release's objects since the upgrade started (`upgradeStarted`, epoch ms;
 * options.laterChanges): helm would write over that change, and a rollback never does. Never throws.
 */
export async function rollbackChart(upgrade: ChartUpgrade, options: Omit<ChartStepOptions, 'deadline'>, upgradeStarted?: number, ourRevision?: number): Promise<RollbackOutcome> {
  try {
    options.fence?.();
  } catch (error) {
    if (error instanceof LeaseLostError) return { status: 'lease-lost', message: error.message };
    throw error;
  }
  try {
    const latest = (await options.helm.history(upgrade.release, 1)).at(-1);
    // Nothing recorded since the plan: the newest revision is still the one it saw (the deployed one, or a failed one above it).
    const before = upgrade.latestRevision ?? upgrade.fromRevision;
    if (latest && latest.revision === before && (before !== upgrade.fromRevision || latest.status === 'deployed')) return { status: 'unchanged' };
    // The newest revision is ours (the upgrade's, or the failed one helm recorded for it): a later one is someone
    // else's helm upgrade or rollback, which a rollback would write over.
    const ours = ourRevision ?? before + 1;
    if (latest && latest.revision > ours) {
      options.progress?.(`not rolling back helm release ${name(upgrade)}: revision ${latest.revision} was made after this apply's own (revision ${ours})`);
      return { status: 'left', changed: [`Helm release ${name(upgrade)}: revision ${latest.revision} (${latest.status}) was made after this apply's revision ${ours}`], message: `revision ${latest.revision} was made after this apply's revision ${ours} (someone else's helm upgrade or rollback)` };
    }
  } catch {
    // Unknown: rolling back to the deployed revision is safe either way.
  }
  if (options.laterChanges && upgradeStarted !== undefined) {
    try {
      const changed = await options.laterChanges(upgradeStarted);
      if (changed.length > 0) {
        options.progress?.(`not rolling back helm release ${name(upgrade)}: someone else changed its objects since the upgrade`);
        return { status: 'left', changed, message: `someone else changed its objects since the upgrade (${changed.join('; ')})` };
      }
    } catch (error) {
      options.progress?.(`not rolling back helm release ${name(upgrade)}: its objects could not be read`);
      return { status: 'left', changed: [], message: `whether someone else changed its objects since the upgrade could not be read (${(error as Error).message})` };
    }
  }
  options.progress?.(`helm rollback ${name(upgrade)} to revision ${upgrade.fromRevision}`);
  try {
    await options.helm.rollback(upgrade.release, upgrade.fromRevision, { timeoutMs: ROLLBACK_TIMEOUT_MS });
  } catch (error) {
    return { status: 'failed', message: (error as Error).message };
  }
  try {
    const latest = (await options.helm.history(upgrade.release, 1)).at(-1);
    if (latest && isPending(latest.status)) return { status: 'failed', message: `helm rollback ended with revision ${latest.revision} ${latest.status}` };
    return { status: 'rolled-back', revision: latest?.revision };
  } catch {
    return { status: 'rolled-back', revision: undefined };
  }
}

function reasonOf(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
}

/** `helm rollback` as someone fixes the release by hand. */
export function rollbackCommand(upgrade: ChartUpgrade): string {
  return `helm rollback ${upgrade.release.name} ${upgrade.fromRevision} -n ${upgrade.release.namespace}`;
}

export function name(upgrade: ChartUpgrade): string {
  return `${upgrade.release.namespace}/${upgrade.release.name}`;
}
