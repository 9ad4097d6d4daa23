import type { JsonObject } from '../core/json.ts';
import type { KubeObject } from '../core/kube.ts';
import type { ClusterConnection } from '../kube/cluster-connection.ts';
import type { HelmRelease, ReleaseRevisionStatus } from './helm-release.ts';

/** Where live state came from: an API server, a snapshot file, or FSM's reference install (no cluster). */
export type LiveOrigin = 'cluster' | 'snapshot' | 'reference';

/** What the cluster holds that a plan needs, from an API server or a snapshot file. */
export interface LiveState {
  /** Where it was read from: a snapshot file or a server URL (for messages). */
  source: string;
  /** What `source` is: what a snapshot lacks is the snapshot's gap, not the cluster's (live-gaps.ts). */
  origin: LiveOrigin;
  /** CustomResourceDefinitions of FSM's API groups. */
  crds: KubeObject[];
  meshConfig: KubeObject | undefined;
  /** Plugin, PluginChain and PluginConfig objects. */
  pluginObjects: KubeObject[];
  /** The deployed revision of the mesh's Helm release (helm-release.ts currentHelmRelease). */
  helmRelease: HelmRelease | undefined;
  /** The release's newest revision, deployed or not (an upgrade left pending or failed); undefined when unknown. */
  helmReleaseLatest?: ReleaseRevisionStatus;
  namespaces: KubeObject[];
  /** Deployments, StatefulSets and DaemonSets in the mesh's monitored namespaces. */
  workloads: KubeObject[];
  /**
   * The cluster's Kubernetes version (`v1.30.4`), when a snapshot holds `kubectl version`'s output: `helm
   * template` checks the chart's `kubeVersion` against it. Unset from an API server (helm's server dry run asks
   * the server itself; `helm template` is given LiveStateReader.serverVersion) and from a snapshot without it.
   */
  kubeVersion?: string;
}

export interface MeshRef {
  name: string;
  namespace: string;
}

export interface LiveStateReader {
  /**
   * The mesh's live state. Once `signal` is aborted (the read is no longer wanted: Ahead.stop) a reader from an
   * API server sends no further request, waits for no retry, cuts off those in flight, and rejects with `signal.reason`.
   */
  read(mesh: MeshRef, signal?: AbortSignal): Promise<LiveState>;
  /**
   * Server-side dry run (server-side apply, dryRun=All) of the objects a plan would apply, keyed by
   * objectKey: the API server's own validation and admission answer. Only a live API server has one.
   */
  dryRun?(objects: readonly KubeObject[]): Promise<Map<string, DryRunOutcome>>;
  /** The API server's address and credential, for helm's server dry run of a chart upgrade. Only a live API server has one. */
  connection?(): Promise<ClusterConnection>;
  /** The API server's Kubernetes version (`GET /version`, its gitVersion: `v1.20.2`), for `helm template --kube-version`. Only a live API server has one. */
  serverVersion?(): Promise<string>;
  /**
   * A chart upgrade's objects (by key: the release's stored manifest, if any, and the new render) against the
   * cluster, a namespaced kind in `namespace` when the manifest names none: each as the cluster has it now, and,
   * with `dryRun`, the API server's refusal of each one the upgrade changes, as it would write it
   * (kube/chart-dry-run.ts). Throws when the objects cannot be read. Only a live API server has one.
   */
  checkChart?(objects: ReadonlyMap<string, { deployed?: KubeObject | undefined; rendered: KubeObject }>, namespace: string, dryRun: boolean, signal?: AbortSignal): Promise<ChartInCluster>;
  /**
   * The names of the Services in each of `namespaces` (one LIST each), for PluginConfig destinationRefs
   * (src/fsm/rules/destination-refs.ts). A namespace whose Services cannot be listed (a refusal, an error, no
   * answer in time) is in the result's `unlisted`, not an error: it only feeds a warning. Only a live API server has one.
   */
  serviceNames?(namespaces: readonly string[], signal?: AbortSignal): Promise<ServiceNames>;
}

/** What the API server listed of the Services of the namespaces asked about (LiveStateReader.serviceNames). */
export interface ServiceNames {
  /** The names of the Services of each namespace listed. */
  listed: ReadonlyMap<string, ReadonlySet<string>>;
  /** Why each other namespace's Services are not known, one line: `https://k8s refused to list them (403 Forbidden: …)`. */
  unlisted: ReadonlyMap<string, string>;
}

/** A chart upgrade's objects in the cluster (LiveStateReader.checkChart), by the keys they were given. */
export interface ChartInCluster {
  /** The live objects; a key is absent where the cluster has none. */
  live: Map<string, JsonObject>;
  /** The API server's refusals in the dry run (none without one). */
  rejected: Map<string, DryRunRejection>;
}

export interface DryRunRejection {
  status: number;
  message: string;
  causes: { field?: string; reason?: string; message?: string }[];
}

/** What the API server would make of an object, or why it refuses it. */
export type DryRunOutcome = { ok: true; object: KubeObject } | ({ ok: false } & DryRunRejection);

/** The cluster state could not be read at all (unreachable server, unreadable snapshot). */
export class LiveStateError extends Error {
  /** `cause`: the API error it explains, when there is one (a 403 is RBAC's refusal). */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LiveStateError';
  }
}
