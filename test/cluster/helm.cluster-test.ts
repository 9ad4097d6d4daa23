import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isObject } from '../../src/core/json.ts';
import { HelmClient } from '../../src/helm/helm-client.ts';
import { HelmError, HelmRunner } from '../../src/helm/helm-runner.ts';
import type { ClusterConnection } from '../../src/kube/cluster-connection.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { Redactor } from '../../src/redact/redactor.ts';
import { deploymentReplicas, fsmChart } from '../support/helm-charts.ts';
import { startCluster, stopCluster } from '../support/kube-test-cluster.ts';

// FSM's real chart on the real kube-apiserver 1.20, with the real helm 4 (FSM_GITOPS_HELM, PATH, or the pinned
// package's). No kubelet runs: --no-hooks (the pre-install hook is a Job), no --wait, and --server-side=false
// (1.20 refuses Helm 4's server-side apply of the chart's Services; test/fixtures/fsm-reference/SOURCES.md).
const RELEASE = { name: 'fsm', namespace: 'fsm-system' };
const CHART = fsmChart('1.5.1');
const OPTIONS = { timeoutMs: 120_000, noHooks: true };
const replicas = (count: number) => ({ fsm: { fsmController: { replicaCount: count } } });

let kubeconfig: string;
let client: KubeClient;
let connection: ClusterConnection;
let helm: HelmClient;

before(async () => {
  kubeconfig = startCluster();
  client = KubeClient.fromFile(kubeconfig);
  connection = await client.connection();
  helm = new HelmClient(new HelmRunner({ redactor: new Redactor() }), connection, { serverSide: 'false' });
});
after(() => stopCluster(kubeconfig));

async function liveReplicas(): Promise<unknown> {
  const deployment = await client.get('/apis/apps/v1/namespaces/fsm-system/deployments/fsm-controller', 'read Deployment fsm-controller');
  return isObject(deployment?.['spec']) ? deployment['spec']['replicas'] : undefined;
}

test('install FSM 1.5.1: one deployed revision, the controller Deployment stored', async () => {
  await helm.install(RELEASE, CHART, {}, { ...OPTIONS, createNamespace: true });
  const history = await helm.history(RELEASE);
  assert.deepEqual(history.map((r) => [r.revision, r.status, r.chart, r.appVersion]), [[1, 'deployed', 'fsm-1.5.1', 'v1.5.1']]);
  assert.equal(await liveReplicas(), 1);
  assert.equal(deploymentReplicas(await helm.manifest(RELEASE, 1), 'fsm-controller'), 1);
});

test('template renders without the cluster what the dry run renders with it', async () => {
  const rendered = await helm.template(RELEASE, CHART, replicas(2), { timeoutMs: 60_000 });
  const { manifest, revision } = await helm.upgradeDryRun(RELEASE, CHART, replicas(2), { timeoutMs: 60_000 });
  assert.equal(revision, 2);
  assert.equal(deploymentReplicas(rendered, 'fsm-controller'), 2);
  assert.equal(deploymentReplicas(manifest, 'fsm-controller'), 2);
  // A dry run stores nothing.
  assert.equal((await helm.history(RELEASE)).length, 1);
  assert.equal(await liveReplicas(), 1);
});

test('upgrade changes a value; the next upgrade resets the values it is not given, as fsm mesh upgrade does', async () => {
  assert.equal(await helm.upgrade(RELEASE, CHART, replicas(2), OPTIONS), 2);
  assert.equal(await liveReplicas(), 2);
  assert.deepEqual(await helm.values(RELEASE, 2), replicas(2));
  const history = await helm.history(RELEASE);
  assert.deepEqual(history.map((r) => [r.revision, r.status]), [[1, 'superseded'], [2, 'deployed']]);

  assert.equal(await helm.upgrade(RELEASE, CHART, { fsm: { controllerLogLevel: 'debug' } }, OPTIONS), 3);
  assert.equal(await liveReplicas(), 1, 'replicaCount 2 was not carried over');
  assert.deepEqual(await helm.values(RELEASE), { fsm: { controllerLogLevel: 'debug' } });
});

test('rollback to revision 2 restores its values and objects as a new revision', async () => {
  await helm.rollback(RELEASE, 2, OPTIONS);
  const history = await helm.history(RELEASE);
  assert.deepEqual(history.at(-1)!.revision, 4);
  assert.equal(history.at(-1)!.status, 'deployed');
  assert.equal(await liveReplicas(), 2);
  assert.deepEqual(await helm.values(RELEASE), replicas(2));
});

test("a refused token is a clear error that never shows the token", async () => {
  const wrong: ClusterConnection = { ...connection, token: 'wrong-token-ABCDEF0123456789' };
  const refused = new HelmClient(new HelmRunner({ redactor: new Redactor() }), wrong, { serverSide: 'false' });
  await assert.rejects(refused.history(RELEASE), (error: Error) => {
    assert.ok(error instanceof HelmError, String(error));
    assert.ok(!error.message.includes(wrong.token!) && !error.message.includes(connection.token!), error.message);
    assert.match(error.message, /^read history of release fsm-system\/fsm: helm exited with 1: .*the API server refused the cluster's credentials/s);
    return true;
  });
});

test('server-side apply (Helm 4\'s default for installs) is refused by kube-apiserver 1.20: why --server-side=false is a setting', async () => {
  const serverSide = new HelmClient(new HelmRunner({ redactor: new Redactor() }), connection, { serverSide: 'true' });
  await assert.rejects(serverSide.upgrade(RELEASE, CHART, {}, OPTIONS), (error: Error) => {
    assert.ok(error instanceof HelmError, String(error));
    assert.match(error.message, /^upgrade release fsm-system\/fsm: helm exited with 1: .*omits key field "protocol"/s);
    return true;
  });
});
