import type { ApplyRecord } from '../apply/history.ts';
import type { EnvironmentConfig } from '../config/repo-config.ts';
import type { EnvironmentLocks } from './deploy-status.ts';

/**
 * The cluster reads of one refresh of other pull requests' status blocks (refreshOthers), made once per
 * environment and shared by every block it recomputes: the environment's claim and pin (readLocks) and its
 * apply history (plan-staleness.ts, a ConfigMap of up to 256 KiB). Twenty pull requests showing staging cost
 * one read of each, not twenty, and a cluster that does not answer costs the refresh its wait once. For a span
 * in which this process changes none of them (a refresh writes only comments); a failed read stays failed
 * for the span.
 */
export class SharedReads {
  private readonly locks = new Map<string, Promise<EnvironmentLocks>>();
  private readonly histories = new Map<string, Promise<ApplyRecord[]>>();

  lockRead(environment: EnvironmentConfig, read: () => Promise<EnvironmentLocks>): Promise<EnvironmentLocks> {
    return once(this.locks, environment, read);
  }

  historyRead(environment: EnvironmentConfig, read: () => Promise<ApplyRecord[]>): Promise<ApplyRecord[]> {
    return once(this.histories, environment, read);
  }
}

function once<T>(reads: Map<string, Promise<T>>, environment: EnvironmentConfig, read: () => Promise<T>): Promise<T> {
  // Two repositories' environments may share a name, never a cluster, namespace and name.
  const key = JSON.stringify([environment.cluster, environment.mesh.namespace, environment.name]);
  let pending = reads.get(key);
  if (!pending) {
    pending = read();
    reads.set(key, pending);
  }
  return pending;
}
