import type { ApplyRecord } from '../apply/history.ts';
import type { EnvironmentConfig } from '../config/repo-config.ts';

/**
 * The apply histories one refresh of other pull requests' status blocks (refreshOthers) reads, once per
 * environment for every block it recomputes (plan-staleness.ts): the history is a ConfigMap of up to 256 KiB,
 * so twenty pull requests showing staging cost one read of it, not twenty, and a cluster that does not answer
 * costs the refresh its wait once. A history only grows, and a record it missed makes a notice one refresh late,
 * never a wrong one. The claim and pin are read per block: a refresh may take minutes, and one another process
 * (the drift schedule, the CLI) released or lifted meanwhile must not be shown again. A failed read stays failed
 * for the refresh.
 */
export class SharedReads {
  private readonly histories = new Map<string, Promise<ApplyRecord[]>>();

  historyRead(environment: EnvironmentConfig, read: () => Promise<ApplyRecord[]>): Promise<ApplyRecord[]> {
    // Two repositories' environments may share a name, never a cluster, namespace and name.
    const key = JSON.stringify([environment.cluster, environment.mesh.namespace, environment.name]);
    let pending = this.histories.get(key);
    if (!pending) {
      pending = read();
      this.histories.set(key, pending);
    }
    return pending;
  }
}
