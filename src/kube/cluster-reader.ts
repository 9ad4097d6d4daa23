import { credentialFailure } from './credential-failure.ts';
import { isObject } from '../core/json.ts';
import type { KubeObject } from '../core/kube.ts';
import { FSM_KINDS } from '../fsm/kinds.ts';
import { LiveStateError, type DryRunOutcome, type LiveState, type LiveStateReader, type MeshRef } from '../live/live-state.ts';
import { MONITORED_BY_LABEL } from '../live/mesh-scope.ts';
import { liveStateFromObjects } from '../live/snapshot.ts';
import type { KubeClient } from './kube-client.ts';
import type { ClusterConnection } from './cluster-connection.ts';
import { KubeUnreachableError } from './kube-errors.ts';
import { serverDryRun } from './server-dry-run.ts';
import { collectionPath, CRDS, NAMESPACES, SECRETS, typeFor, WORKLOADS } from './resource-paths.ts';

/**
 * Live state from an API server: the four FSM CRDs by name, one LIST per FSM kind, the mesh's Helm
 * release Secrets, the monitored namespaces and their workloads.
 */
export class ClusterReader implements LiveStateReader {
  constructor(private readonly client: KubeClient) {}

  dryRun(objects: readonly KubeObject[]): Promise<Map<string, DryRunOutcome>> {
    return this.translated(() => serverDryRun(this.client, objects, this.client.concurrency));
  }

  connection(): Promise<ClusterConnection> {
    return this.client.connection();
  }

  async read(mesh: MeshRef): Promise<LiveState> {
    return this.translated(() => this.readAll(mesh));
  }

  /** Turns connection and permission failures into LiveStateErrors (exit 3 in the CLI), naming the server. */
  private async translated<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof KubeUnreachableError) throw new LiveStateError(error.message);
      const credentials = credentialFailure(error, this.client.server);
      if (credentials) throw new LiveStateError(credentials);
      throw error;
    }
  }

  private async readAll(mesh: MeshRef): Promise<LiveState> {
    const crds = (await Promise.all(FSM_KINDS.map((k) => this.client.get(`${collectionPath(CRDS)}/${k.plural}.${k.group}`, `read CRD ${k.plural}.${k.group}`)))).filter(
      (crd): crd is KubeObject => crd !== undefined,
    );
    const fsmObjects = await Promise.all(
      FSM_KINDS.map(async (kind) => {
        const crd = crds.find((c) => c.metadata.name === `${kind.plural}.${kind.group}`);
        const version = crd ? storageVersion(crd) : undefined;
        if (!version) return [];
        const type = typeFor(`${kind.group}/${version}`, kind.plural, kind.namespaced);
        const namespace = kind.kind === 'MeshConfig' ? mesh.namespace : undefined;
        return this.client.list(collectionPath(type, namespace), `list ${kind.kind}`);
      }),
    );
    const [secrets, namespaces] = await Promise.all([
      this.client.list(collectionPath(SECRETS, mesh.namespace), `list Helm release Secrets in ${mesh.namespace}`, `owner=helm,name=${mesh.name}`),
      this.client.list(collectionPath(NAMESPACES), 'list monitored namespaces', `${MONITORED_BY_LABEL}=${mesh.name}`),
    ]);
    const workloads = await this.workloads(namespaces.map((ns) => String((ns['metadata'] as { name: string }).name)));
    const objects = [...crds, ...fsmObjects.flat(), ...secrets, ...namespaces, ...workloads] as KubeObject[];
    return liveStateFromObjects(this.client.server, objects, mesh, 'cluster');
  }

  /** Per namespace (a namespace at a time, its three kinds at once), so a large cluster is not read whole. */
  private async workloads(namespaces: string[]): Promise<KubeObject[]> {
    const found: KubeObject[] = [];
    for (const namespace of namespaces) {
      const lists = Object.entries(WORKLOADS).map(([kind, type]) => this.client.list(collectionPath(type, namespace), `list ${kind}s in ${namespace}`));
      for (const list of await Promise.all(lists)) found.push(...(list as KubeObject[]));
    }
    return found;
  }
}

function storageVersion(crd: KubeObject): string | undefined {
  const versions = isObject(crd['spec']) && Array.isArray(crd['spec']['versions']) ? crd['spec']['versions'].filter(isObject) : [];
  const storage = versions.find((v) => v['storage'] === true) ?? versions.find((v) => v['served'] !== false);
  return typeof storage?.['name'] === 'string' ? storage['name'] : undefined;
}
