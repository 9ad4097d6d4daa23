import type { KubeObject } from '../core/kube.ts';
import type { HelmRelease } from './helm-release.ts';

/** What the cluster holds that a plan needs, from an API server or a snapshot file. */
export interface LiveState {
  /** Where it was read from: a snapshot file or a server URL (for messages). */
  source: string;
  /** CustomResourceDefinitions of FSM's API groups. */
  crds: KubeObject[];
  meshConfig: KubeObject | undefined;
  /** Plugin, PluginChain and PluginConfig objects. */
  pluginObjects: KubeObject[];
  helmRelease: HelmRelease | undefined;
  namespaces: KubeObject[];
  /** Deployments, StatefulSets and DaemonSets in the mesh's monitored namespaces. */
  workloads: KubeObject[];
}

export interface MeshRef {
  name: string;
  namespace: string;
}

export interface LiveStateReader {
  read(mesh: MeshRef): Promise<LiveState>;
}

/** The cluster state could not be read at all (unreachable server, unreadable snapshot). */
export class LiveStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LiveStateError';
  }
}
