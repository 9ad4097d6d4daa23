import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HelmClient } from '../../src/helm/helm-client.ts';
import { HelmRunner } from '../../src/helm/helm-runner.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { Redactor } from '../../src/redact/redactor.ts';
import { fsmChart } from '../support/helm-charts.ts';
import { startCluster, stopCluster } from '../support/kube-test-cluster.ts';
import { applyRbacFile, serviceAccountKubeconfig } from '../support/service-account.ts';

// deploy/rbac-chart.yaml tested as the identity it binds (ServiceAccount fsm-system/fsm-gitops) against the real
// kube-apiserver 1.20 and FSM's chart 1.5.1 installed by an admin with the real helm (--no-hooks: no kubelet runs
// the pre-install Job; --server-side=false: 1.20 refuses Helm 4's server-side apply of the chart's Services).
const RELEASE = { name: 'fsm', namespace: 'fsm-system' };
const CHANGE = { timeoutMs: 120_000, noHooks: true };
const PDB = '/apis/policy/v1beta1/namespaces/fsm-system/poddisruptionbudgets/fsm-controller-pdb';

let kubeconfig: string;
let admin: KubeClient;
let restricted: string;

function helmAs(path: string): Promise<HelmClient> {
  return KubeClient.fromFile(path)
    .connection()
    .then((connection) => new HelmClient(new HelmRunner({ redactor: new Redactor() }), connection, { serverSide: 'false' }));
}

async function controllerReplicas(): Promise<unknown> {
  const deployment = await admin.get('/apis/apps/v1/namespaces/fsm-system/deployments/fsm-controller', 'read fsm-controller');
  return (deployment?.['spec'] as { replicas?: number } | undefined)?.replicas;
}

before(async () => {
  kubeconfig = startCluster();
  admin = KubeClient.fromFile(kubeconfig);
  await (await helmAs(kubeconfig)).install(RELEASE, fsmChart('1.5.1'), { fsm: { meshName: 'fsm' } }, { ...CHANGE, createNamespace: true });
  await applyRbacFile(admin, 'deploy/rbac.yaml');
  restricted = await serviceAccountKubeconfig(admin, kubeconfig);
});
after(() => stopCluster(kubeconfig));

test('with deploy/rbac.yaml only, helm upgrade of the release is forbidden and changes nothing', async () => {
  const helm = await helmAs(restricted);
  await assert.rejects(helm.upgrade(RELEASE, fsmChart('1.5.1'), { fsm: { meshName: 'fsm', fsmController: { replicaCount: 3 } } }, CHANGE), /forbidden/i);
  assert.equal(await controllerReplicas(), 1);
  const history = await (await helmAs(kubeconfig)).history(RELEASE);
  assert.deepEqual(history.map((r) => [r.revision, r.status]), [[1, 'deployed']]);
});

test('with deploy/rbac-chart.yaml too: helm history, upgrade (values), rollback and the upgrade to chart 1.6.0 succeed', async () => {
  await applyRbacFile(admin, 'deploy/rbac-chart.yaml');
  const helm = await helmAs(restricted);
  assert.deepEqual((await helm.history(RELEASE)).map((r) => r.revision), [1]);

  // A values change that patches a Deployment and creates a PodDisruptionBudget.
  const values = { fsm: { meshName: 'fsm', fsmController: { replicaCount: 3, enablePodDisruptionBudget: true } } };
  assert.equal(await helm.upgrade(RELEASE, fsmChart('1.5.1'), values, CHANGE), 2);
  assert.equal(await controllerReplicas(), 3);
  assert.ok(await admin.get(PDB, 'read the PodDisruptionBudget'), 'the upgrade created the PodDisruptionBudget');

  // The rollback patches it back and deletes what revision 1 did not have.
  await helm.rollback(RELEASE, 1, CHANGE);
  assert.equal(await controllerReplicas(), 1);
  assert.equal(await admin.get(PDB, 'read the PodDisruptionBudget'), undefined, 'the rollback deleted the PodDisruptionBudget');

  // 1.6.0 changes FSM's ClusterRole (escalate by name) and its webhook configurations.
  assert.equal(await helm.upgrade(RELEASE, fsmChart('1.6.0'), { fsm: { meshName: 'fsm' } }, CHANGE), 4);
  const history = await helm.history(RELEASE);
  assert.deepEqual(history.map((r) => [r.revision, r.chart, r.status]), [
    [1, 'fsm-1.5.1', 'superseded'],
    [2, 'fsm-1.5.1', 'superseded'],
    [3, 'fsm-1.5.1', 'superseded'],
    [4, 'fsm-1.6.0', 'deployed'],
  ]);
});
