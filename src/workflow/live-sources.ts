import { ClusterReader } from '../kube/cluster-reader.ts';
import { ClusterCredentialsError, type ClusterConnector } from '../kube/credentials/cluster-credentials.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { LiveStateReader } from '../live/live-state.ts';
import { SnapshotReader } from '../live/snapshot.ts';

/** Where the app reads each named cluster's live state: a snapshot file, or the API server its credentials reach. */
export class LiveSources {
  constructor(private readonly connector: ClusterConnector) {}

  /**
   * `deadline` (epoch ms): no request to the API server starts after it, and none waits past it; `deadlineName`
   * says what that time is once it passes (KubeClient.withDeadline).
   */
  async reader(cluster: string, deadline?: number, deadlineName?: string): Promise<LiveStateReader> {
    const credentials = this.connector.credentials(cluster);
    if (credentials && 'snapshotFile' in credentials) return new SnapshotReader(credentials.snapshotFile);
    return new ClusterReader((await this.connector.client(cluster)).withDeadline(deadline, deadlineName));
  }

  /** The cluster is a snapshot file: it can be planned against, never changed (no claims, pins or history). */
  isSnapshot(cluster: string): boolean {
    const credentials = this.connector.credentials(cluster);
    return credentials !== undefined && 'snapshotFile' in credentials;
  }

  /**
   * These sources with every reader and client they give bounded by `deadline` (epoch ms): an event's work
   * (handle-event.ts), so an API server that hangs costs the event its time, not each request its own timeout
   * and retries. A client can still be given more time (KubeClient.withDeadline: a rollback's grace). `name`
   * says what the deadline is once it passes. Bound from the unbounded sources: the reader of sources bounded
   * twice keeps the first bound.
   */
  withDeadline(deadline: number, name?: string): LiveSources {
    const base = this;
    const bounded = Object.create(base) as LiveSources;
    bounded.reader = (cluster) => base.reader(cluster, deadline, name);
    bounded.client = async (cluster) => (await base.client(cluster)).withDeadline(deadline, name);
    return bounded;
  }

  /**
   * These sources without `clusters` (ones that did not answer the drift run's check): their readers and clients
   * fail at once with `why`, so the housekeeping after the check does not wait on them again.
   */
  without(clusters: ReadonlySet<string>, why: (cluster: string) => string): LiveSources {
    if (clusters.size === 0) return this;
    const base = this;
    const narrowed = Object.create(base) as LiveSources;
    narrowed.reader = (cluster, deadline, name) => (clusters.has(cluster) ? Promise.reject(new Error(why(cluster))) : base.reader(cluster, deadline, name));
    narrowed.client = (cluster) => (clusters.has(cluster) ? Promise.reject(new Error(why(cluster))) : base.client(cluster));
    return narrowed;
  }

  /** A client that can change the cluster (apply, claims, history); a snapshot cannot be one. */
  async client(cluster: string): Promise<KubeClient> {
    const credentials = this.connector.credentials(cluster);
    if (credentials && 'snapshotFile' in credentials) throw new ClusterCredentialsError(`cluster "${cluster}" is a snapshot file in the app's settings: it can be planned against, not deployed to`);
    return this.connector.client(cluster);
  }
}
