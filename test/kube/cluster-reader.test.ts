import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import nock from 'nock';
import type { JsonObject } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { FSM_KINDS, type FsmKind, type FsmKindInfo } from '../../src/fsm/kinds.ts';
import { ClusterReader } from '../../src/kube/cluster-reader.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { LiveStateError } from '../../src/live/live-state.ts';
import { helmReleaseFromObjects } from '../../src/live/snapshot.ts';
import { fsmReleaseSecret } from '../support/fsm-release.ts';

// The live read's requests (issue 12): everything that waits for no answer is sent at once, and the result
// and the error are still those of the steps one after the other (CRDs, FSM kinds, Secrets and namespaces,
// workloads). A fake API server over nock, whose answers a test can hold back or fail.
const SERVER = 'https://kube.test:6443';
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${SERVER}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: ctx, context: { cluster: c, user: u } }]
current-context: ctx
`;
const MESH = { name: 'fsm', namespace: 'fsm-system' };
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const info = (kind: FsmKind): FsmKindInfo => FSM_KINDS.find((k) => k.kind === kind)!;
const crdPath = (kind: FsmKind) => `${CRD_PATH}/${info(kind).plural}.${info(kind).group}`;
/** Where `kind` is listed at `version` (the MeshConfig in the mesh's namespace only). */
function listPath(kind: FsmKind, version = info(kind).expectedVersion): string {
  const { group, plural } = info(kind);
  return kind === 'MeshConfig' ? `/apis/${group}/${version}/namespaces/${MESH.namespace}/${plural}` : `/apis/${group}/${version}/${plural}`;
}
const SECRETS = `/api/v1/namespaces/${MESH.namespace}/secrets`;
const NAMESPACES = '/api/v1/namespaces';
const WORKLOADS = ['deployments', 'statefulsets', 'daemonsets'].map((plural) => `/apis/apps/v1/namespaces/bookinfo/${plural}`);
/** What a read of a cluster with the four CRDs at their expected versions asks, each once. */
const READS = [...FSM_KINDS.map((k) => crdPath(k.kind)), ...FSM_KINDS.map((k) => listPath(k.kind)), SECRETS, NAMESPACES, ...WORKLOADS].sort();

type Version = {
  name: string;
  served: boolean;
  storage: boolean;
};

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * An API server with FSM's CRDs (`versions` per kind; a kind left out has no CRD) serving one object of each
 * FSM kind at every version its CRD serves (404 at any other, as Kubernetes does), a monitored namespace
 * `bookinfo` with a Deployment, no Helm release. `hold` keeps a path's answer back until its promise
 * resolves; `fail` answers a path with a status (`times`: that many times, then normally).
 */
class FakeApi {
  readonly versions = new Map<FsmKind, Version[]>(FSM_KINDS.map((k) => [k.kind, [{ name: k.expectedVersion, served: true, storage: true }]]));
  readonly arrived: string[] = [];
  readonly answered: string[] = [];
  /** The most requests in flight at once. */
  mostInFlight = 0;
  /** The Secrets the mesh's namespace holds (Helm's release Secrets). */
  secrets: JsonObject[] = [];
  private readonly holds = new Map<string, Promise<void>>();
  private readonly failures = new Map<string, { status: number; times: number }>();

  hold(path: string, until: Promise<void>): void {
    this.holds.set(path, until);
  }

  fail(path: string, status: number, times = Infinity): void {
    this.failures.set(path, { status, times });
  }

  get pending(): number {
    return this.arrived.length - this.answered.length;
  }

  async answer(path: string): Promise<[number, JsonObject]> {
    this.arrived.push(path);
    this.mostInFlight = Math.max(this.mostInFlight, this.pending);
    await this.holds.get(path);
    await new Promise((resolve) => setTimeout(resolve, 1));
    const failure = this.failures.get(path);
    const answer = failure && failure.times-- > 0 ? this.status(failure.status, path) : this.serve(path);
    this.answered.push(path);
    return answer;
  }

  private serve(path: string): [number, JsonObject] {
    for (const kind of FSM_KINDS) {
      const versions = this.versions.get(kind.kind);
      if (path === crdPath(kind.kind)) return versions ? [200, crd(kind, versions)] : this.status(404, path);
      const served = versions?.find((v) => v.served && path === listPath(kind.kind, v.name));
      if (served) return [200, list(`${kind.group}/${served.name}`, kind.kind, [{ metadata: { name: kind.kind === 'MeshConfig' ? 'fsm-mesh-config' : `${kind.kind.toLowerCase()}-1`, namespace: MESH.namespace } }])];
      if (path.startsWith(`/apis/${kind.group}/`) && path.endsWith(`/${kind.plural}`)) return this.status(404, path);
    }
    if (path === SECRETS) return [200, list('v1', 'Secret', this.secrets)];
    if (path === NAMESPACES) return [200, list('v1', 'Namespace', [{ metadata: { name: 'bookinfo', labels: { 'flomesh.io/monitored-by': MESH.name } } }])];
    if (path === WORKLOADS[0]) return [200, list('apps/v1', 'Deployment', [{ metadata: { name: 'reviews', namespace: 'bookinfo' } }])];
    if (WORKLOADS.includes(path)) return [200, list('apps/v1', path.endsWith('statefulsets') ? 'StatefulSet' : 'DaemonSet', [])];
    return this.status(404, path);
  }

  private status(code: number, path: string): [number, JsonObject] {
    const reason = code === 403 ? 'Forbidden' : code === 404 ? 'NotFound' : 'InternalError';
    return [code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code, message: `${reason} ${path}` }];
  }
}

function crd(kind: FsmKindInfo, versions: Version[]): JsonObject {
  const names = { kind: kind.kind, plural: kind.plural };
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${kind.plural}.${kind.group}` }, spec: { group: kind.group, names, versions } };
}

function list(apiVersion: string, kind: string, items: JsonObject[]): JsonObject {
  return { apiVersion, kind: `${kind}List`, metadata: { resourceVersion: '7' }, items };
}

/** Resolves once `condition` holds; fails after 10 s (a loaded machine), saying what had arrived. */
async function until(condition: () => boolean, fake: FakeApi): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise((resolve) => setTimeout(resolve, 5))) {
    if (Date.now() - started > 10_000) assert.fail(`still waiting; arrived: ${fake.arrived.join(', ')}`);
  }
}

let fake: FakeApi;
const read = (concurrency?: number) =>
  new ClusterReader(KubeClient.fromString(KUBECONFIG, undefined, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, concurrency })).read(MESH);

before(() => nock.disableNetConnect());
beforeEach(() => {
  fake = new FakeApi();
  nock(SERVER)
    .persist()
    .get(() => true)
    .reply(async (uri) => fake.answer(new URL(uri, SERVER).pathname));
});
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

test('the FSM kinds\' LISTs, the Secrets, the namespaces and the workloads are all asked before a CRD is answered', async () => {
  const crds = deferred();
  for (const kind of FSM_KINDS) fake.hold(crdPath(kind.kind), crds.promise);
  const reading = read();
  await until(() => READS.every((path) => fake.arrived.includes(path)), fake);
  assert.equal(fake.answered.filter((path) => path.startsWith(CRD_PATH)).length, 0, 'no CRD answered yet');
  crds.resolve();
  const live = await reading;
  assert.deepEqual([...fake.arrived].sort(), READS, 'each request once, none more than the steps one after the other send');
  assert.equal(live.crds.length, 4);
  assert.equal(live.meshConfig?.apiVersion, 'config.flomesh.io/v1alpha3');
  assert.deepEqual(live.pluginObjects.map((o) => `${o.apiVersion} ${o.kind}`).sort(), ['plugin.flomesh.io/v1alpha1 Plugin', 'plugin.flomesh.io/v1alpha1 PluginChain', 'plugin.flomesh.io/v1alpha1 PluginConfig']);
  assert.deepEqual(live.namespaces.map((n) => n.metadata.name), ['bookinfo']);
  assert.deepEqual(live.workloads.map((w) => `${w.kind} ${w.metadata.name}`), ['Deployment reviews']);
  assert.ok(fake.mostInFlight <= 16, `${fake.mostInFlight} requests in flight, more than the client's default bound`);
});

test('the client\'s bound on requests in flight holds, and the read completes under a bound of 2', async () => {
  const live = await read(2);
  assert.equal(fake.mostInFlight, 2);
  assert.deepEqual([...fake.arrived].sort(), READS);
  assert.equal(live.pluginObjects.length, 3);
  assert.equal(live.workloads.length, 1);
});

test('a kind whose CRD stores another version is listed again at that one, and the first LIST is dropped', async () => {
  // Plugin: the expected v1alpha1 is still served (its LIST answers 200) but v1alpha2 is stored; MeshConfig: only v1alpha4 (the guess gets a 404).
  fake.versions.set('Plugin', [
    { name: 'v1alpha1', served: true, storage: false },
    { name: 'v1alpha2', served: true, storage: true },
  ]);
  fake.versions.set('MeshConfig', [{ name: 'v1alpha4', served: true, storage: true }]);
  const live = await read();
  assert.equal(live.meshConfig?.apiVersion, 'config.flomesh.io/v1alpha4');
  assert.deepEqual(live.pluginObjects.filter((o) => o.kind === 'Plugin').map((o) => o.apiVersion), ['plugin.flomesh.io/v1alpha2'], 'the v1alpha1 answer is not kept');
  assert.deepEqual([...fake.arrived].sort(), [...READS, listPath('Plugin', 'v1alpha2'), listPath('MeshConfig', 'v1alpha4')].sort(), 'one more LIST per wrong guess');
  assert.equal(fake.pending, 0, 'the dropped LISTs finished before the read returned');
});

test('a kind without a CRD has no objects and no error, whatever its LIST answered', async () => {
  fake.versions.delete('Plugin');
  fake.versions.delete('PluginChain');
  fake.fail(listPath('PluginChain'), 403);
  const live = await read();
  assert.deepEqual(live.crds.map((c) => c.metadata.name).sort(), ['meshconfigs.config.flomesh.io', 'pluginconfigs.plugin.flomesh.io']);
  assert.deepEqual(live.pluginObjects.map((o) => o.kind), ['PluginConfig']);
  assert.deepEqual([...fake.arrived].sort(), READS, 'nothing listed again');
});

test('a CRD that cannot be read is the error, even when later steps\' requests failed first', async () => {
  const others = deferred();
  fake.hold(crdPath('MeshConfig'), others.promise);
  fake.fail(crdPath('MeshConfig'), 403);
  fake.fail(listPath('Plugin'), 500);
  fake.fail(SECRETS, 403);
  fake.fail(NAMESPACES, 403);
  const reading = read();
  await until(() => [listPath('Plugin'), SECRETS, NAMESPACES].every((path) => fake.answered.includes(path)), fake);
  others.resolve();
  await assert.rejects(reading, (error: unknown) => error instanceof LiveStateError && /^read CRD meshconfigs\.config\.flomesh\.io: Forbidden/.test(error.message));
  assert.equal(fake.pending, 0, 'every request of the read finished before its error was raised');
});

test('an FSM kind\'s LIST failure comes before the Secrets\', as in the steps one after the other', async () => {
  const secrets = deferred();
  fake.hold(listPath('Plugin'), secrets.promise);
  fake.fail(listPath('Plugin'), 403);
  fake.fail(SECRETS, 403);
  const reading = read();
  await until(() => fake.answered.includes(SECRETS), fake);
  secrets.resolve();
  await assert.rejects(reading, (error: unknown) => error instanceof LiveStateError && /^list Plugin: Forbidden/.test(error.message));
});

test('a 404 of the expected version\'s LIST while its CRD stores that version is asked again', async () => {
  fake.fail(listPath('Plugin'), 404, 1);
  const live = await read();
  assert.deepEqual(live.pluginObjects.filter((o) => o.kind === 'Plugin').map((o) => o.apiVersion), ['plugin.flomesh.io/v1alpha1']);
  assert.equal(fake.arrived.filter((path) => path === listPath('Plugin')).length, 2);
});

/** The mesh's release Secret, revision 1 deployed; `broken`: its release data is not base64 of a gzipped release. */
function releaseSecret(broken = false): JsonObject {
  const secret = fsmReleaseSecret('1.6.0', { fsm: { meshName: 'fsm' } }, '');
  return broken ? { ...secret, data: { release: Buffer.from('not a release').toString('base64') } } : secret;
}

test('the Helm release is read from the Secrets\' LIST as from a snapshot of the same objects', async () => {
  const secret = releaseSecret();
  fake.secrets = [secret];
  const live = await read();
  const expected = helmReleaseFromObjects(SERVER, [{ ...secret, apiVersion: 'v1', kind: 'Secret' } as KubeObject], MESH);
  assert.ok(expected.helmRelease, 'the Secret holds a deployed release');
  assert.deepEqual({ helmRelease: live.helmRelease, helmReleaseLatest: live.helmReleaseLatest }, expected);
});

test('a release Secret that does not decode is the read\'s error, naming the server, once every request has finished', async () => {
  const plugins = deferred();
  fake.hold(listPath('Plugin'), plugins.promise);
  fake.secrets = [releaseSecret(true)];
  const reading = read();
  await until(() => fake.answered.includes(SECRETS), fake);
  plugins.resolve();
  await assert.rejects(reading, (error: unknown) => error instanceof LiveStateError && error.message.startsWith(`cluster snapshot ${SERVER}: Helm release Secret fsm-system/sh.helm.release.v1.fsm.v1: the release is not valid base64`));
  assert.equal(fake.pending, 0, 'every request of the read finished before its error was raised');
});

test('an FSM kind\'s LIST failure, then a workloads LIST\'s, come before a release Secret that does not decode (decoded as soon as it was listed)', async () => {
  for (const failing of [listPath('Plugin'), WORKLOADS[0]!]) {
    const held = deferred();
    fake = new FakeApi();
    fake.hold(failing, held.promise);
    fake.fail(failing, 403);
    fake.secrets = [releaseSecret(true)];
    const reading = read();
    await until(() => fake.answered.includes(SECRETS), fake);
    held.resolve();
    await assert.rejects(reading, (error: unknown) => error instanceof LiveStateError && error.message.includes(`Forbidden ${failing}`), failing);
  }
});
