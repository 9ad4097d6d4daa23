import { credentialFailure } from './credential-failure.ts';
import { ResourceDiscovery } from './resource-discovery.ts';
import type { JsonObject } from '../core/json.ts';
import type { KubeObject } from '../core/kube.ts';
import { crdName, FSM_KINDS, type FsmKindInfo } from '../fsm/kinds.ts';
import { LiveStateError, type ChartInCluster, type DryRunOutcome, type DryRunRejection, type LiveState, type LiveStateReader, type MeshRef, type ServiceNames } from '../live/live-state.ts';
import { dryRunChartWrites } from './chart-dry-run.ts';
import { MONITORED_BY_LABEL } from '../live/mesh-scope.ts';
import { helmReleaseFromObjects, liveStateFromObjects } from '../live/snapshot.ts';
import { Ahead, meanwhile } from '../workflow/ahead.ts';
import type { KubeClient } from './kube-client.ts';
import type { ClusterConnection } from './cluster-connection.ts';
import { storageVersion } from './crd-version.ts';
import { KubeApiError, KubeUnreachableError } from './kube-errors.ts';
import { serverDryRun } from './server-dry-run.ts';
import { collectionPath, CRDS, NAMESPACES, SECRETS, typeFor, WORKLOADS } from './resource-paths.ts';
import { listServiceNames } from './service-names.ts';

/**
 * Live state from an API server: the four FSM CRDs by name, one LIST per FSM kind (two when its CRD stores
 * another version than FsmKindInfo.expectedVersion), the mesh's Helm release Secrets, the monitored
 * namespaces and their workloads. The order of the requests: docs/clusters.md, "How fsm-gitops reads the cluster".
 */
export class ClusterReader implements LiveStateReader {
  constructor(private readonly client: KubeClient) {}

  dryRun(objects: readonly KubeObject[]): Promise<Map<string, DryRunOutcome>> {
    return this.translated(() => serverDryRun(this.client, objects, this.client.concurrency));
  }

  connection(): Promise<ClusterConnection> {
    return this.client.connection();
  }

  checkChart(objects: ReadonlyMap<string, { deployed?: KubeObject | undefined; rendered: KubeObject }>, namespace: string, dryRun: boolean, signal?: AbortSignal): Promise<ChartInCluster> {
    const client = signal ? this.client.withSignal(signal) : this.client;
    const discovery = new ResourceDiscovery(client);
    const keys = [...objects.keys()];
    return this.translated(async () => {
      const found = await discovery.readEach(keys.map((key) => objects.get(key)!.rendered), namespace, client.concurrency);
      const live = new Map<string, JsonObject>();
      keys.forEach((key, index) => found[index]?.live && live.set(key, found[index].live));
      const rejected = new Map<string, DryRunRejection>();
      if (dryRun) {
        const refusals = await dryRunChartWrites(client, keys.map((key) => ({ ...objects.get(key)!, live: live.get(key) })), namespace, discovery);
        keys.forEach((key, index) => refusals[index] && rejected.set(key, refusals[index]));
      }
      return { live, rejected };
    });
  }

  serviceNames(namespaces: readonly string[], signal?: AbortSignal): Promise<ServiceNames> {
    return this.translated(() => listServiceNames(this.client, namespaces, signal));
  }

  serverVersion(): Promise<string> {
    return this.translated(async () => {
      const version = await this.client.get('/version', 'read the Kubernetes version');
      const gitVersion = version?.['gitVersion'];
      if (typeof gitVersion !== 'string') throw new LiveStateError(`${this.client.server}/version holds no gitVersion: is it a Kubernetes API server?`);
      return gitVersion;
    });
  }

  async read(mesh: MeshRef, signal?: AbortSignal): Promise<LiveState> {
    const reader = signal ? new ClusterReader(this.client.withSignal(signal)) : this;
    return this.translated(() => reader.readAll(mesh));
  }

  /** Turns connection and permission failures into LiveStateErrors (exit 3 in the CLI), naming the server. */
  private async translated<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof KubeUnreachableError) throw new LiveStateError(error.message, { cause: error });
      const credentials = credentialFailure(error, this.client.server);
      if (credentials) throw new LiveStateError(credentials, { cause: error });
      throw error;
    }
  }

  /**
   * Every request that waits for no answer starts at once: the CRD GETs, each FSM kind's LIST at the
   * version it is expected at (FsmKindInfo.expectedVersion), the Helm release Secrets and the namespaces;
   * the workloads as soon as the namespaces are known. The answers are then taken in the order of the
   * steps that depend on each other (CRDs, FSM kinds, Secrets and namespaces, workloads), so the result,
   * and the error when one fails, is the one those steps give one after the other. It is returned, or
   * raised, once every request started here has finished. The error is raised only once every earlier step
   * has succeeded, so no request still running can change it: those are stopped then (meanwhile(): no further
   * attempt or retry, those in flight cut off), not waited for.
   */
  private async readAll(mesh: MeshRef): Promise<LiveState> {
    const crds = FSM_KINDS.map((kind) => this.stoppable((client) => client.get(`${collectionPath(CRDS)}/${crdName(kind)}`, `read CRD ${crdName(kind)}`)));
    const guesses = FSM_KINDS.map((kind) => this.stoppable((client) => listKind(client, kind, kind.expectedVersion, mesh)));
    const secrets = this.stoppable((client) =>
      client.list(collectionPath(SECRETS, mesh.namespace), `list Helm release Secrets in ${mesh.namespace}`, `owner=helm,name=${mesh.name}`),
    );
    // Decoded as soon as the Secrets are listed (the FSM kinds' last LIST pages come much later); a decoding
    // error is raised where liveStateFromObjects would raise it, after every request's. Only that LIST holds
    // Secrets: an API server answers a LIST with objects of the kind listed.
    const helm = Ahead.start(async () => helmReleaseFromObjects(this.client.server, (await secrets.result()) as KubeObject[], mesh));
    const namespaces = this.stoppable((client) => client.list(collectionPath(NAMESPACES), 'list monitored namespaces', `${MONITORED_BY_LABEL}=${mesh.name}`));
    const workloads = this.stoppable(async (client) => listWorkloads(client, (await namespaces.result()).map((ns) => String((ns['metadata'] as { name: string }).name))));
    const started: Ahead<unknown>[] = [...crds, ...guesses, secrets, namespaces, workloads];
    return meanwhile(started, async () => {
      const found = (await Promise.all(crds.map((crd) => crd.result()))).filter((crd): crd is KubeObject => crd !== undefined);
      const kinds = FSM_KINDS.map((kind, i) => this.stoppable((client) => confirmed(client, kind, found, guesses[i]!, mesh)));
      started.push(...kinds);
      const fsmObjects = await Promise.all(kinds.map((kind) => kind.result()));
      const [secretList, namespaceList] = await Promise.all([secrets.result(), namespaces.result()]);
      const objects = [...found, ...fsmObjects.flat(), ...secretList, ...namespaceList, ...(await workloads.result())] as KubeObject[];
      // A dropped LIST too: nothing of this read is still in flight once it returns.
      await Promise.all(started.map((request) => request.settled()));
      return liveStateFromObjects(this.client.server, objects, mesh, 'cluster', await helm.result());
    });
  }

  /** `run` started now with this reader's client, its requests stopped by the Ahead's stop(). */
  private stoppable<T>(run: (client: KubeClient) => Promise<T>): Ahead<T> {
    return Ahead.start((signal) => run(this.client.withSignal(signal)));
  }
}

/**
 * The kind's objects at the version its CRD stores (storageVersion): the LIST started at the expected
 * version when the CRD stores that one, else a new LIST at the stored version; none when the cluster
 * has no CRD for the kind, or one without versions. A LIST not used is dropped whatever its outcome (a
 * 404 for a kind without CRD is no error). A 404 of the expected-version LIST while the CRD stores that
 * version (the CRD came after that LIST was sent) is asked again, as the steps one after the other would.
 */
async function confirmed(client: KubeClient, kind: FsmKindInfo, crds: readonly KubeObject[], guess: Ahead<JsonObject[]>, mesh: MeshRef): Promise<JsonObject[]> {
  const crd = crds.find((c) => c.metadata.name === crdName(kind));
  const version = crd ? storageVersion(crd) : undefined;
  if (!version) return [];
  if (version === kind.expectedVersion) {
    try {
      return await guess.result();
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 404)) throw error;
    }
  }
  return listKind(client, kind, version, mesh);
}

/** Every object of an FSM kind at `version`; the MeshConfig only from the mesh's namespace. */
function listKind(client: KubeClient, kind: FsmKindInfo, version: string, mesh: MeshRef): Promise<JsonObject[]> {
  const type = typeFor(`${kind.group}/${version}`, kind.plural, kind.namespaced);
  const namespace = kind.kind === 'MeshConfig' ? mesh.namespace : undefined;
  return client.list(collectionPath(type, namespace), `list ${kind.kind}`);
}

/** Per namespace (a namespace at a time, its three kinds at once), so a large cluster is not read whole. */
async function listWorkloads(client: KubeClient, namespaces: string[]): Promise<KubeObject[]> {
  const found: KubeObject[] = [];
  for (const namespace of namespaces) {
    const lists = Object.entries(WORKLOADS).map(([kind, type]) => client.list(collectionPath(type, namespace), `list ${kind}s in ${namespace}`));
    for (const list of await Promise.all(lists)) found.push(...(list as KubeObject[]));
  }
  return found;
}
