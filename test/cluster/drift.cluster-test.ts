import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { cli } from '../support/cli.ts';
import { startSeededCluster, stopCluster } from '../support/kube-test-cluster.ts';

let kubeconfig: string;
let client: KubeClient;
const MESH_CONFIG = '/apis/config.flomesh.io/v1alpha3/namespaces/fsm-system/meshconfigs/fsm-mesh-config';
const ARGS = ['--repo', 'examples/gitops', '--env', 'staging'];

before(async () => {
  ({ kubeconfig, client } = await startSeededCluster());
  const applied = await cli(['apply', ...ARGS, '--kubeconfig', kubeconfig, '--yes', '--commit', 'first']);
  assert.equal(applied.code, 0, applied.stderr);
});
after(() => stopCluster(kubeconfig));

const portList = async () => ((await client.get(MESH_CONFIG, 'read'))!['spec'] as { traffic: { outboundPortExclusionList: number[] } }).traffic.outboundPortExclusionList;

test('a person\'s kubectl patch of a field the repository sets is drift, named in the plan and taken back by apply', async () => {
  await client.request({
    method: 'PATCH',
    path: MESH_CONFIG,
    query: { fieldManager: 'kubectl-patch' },
    contentType: 'application/merge-patch+json',
    body: { spec: { traffic: { outboundPortExclusionList: [6379, 11211] } } },
    what: 'patch by hand',
  });
  const plan = await cli(['plan', ...ARGS, '--kubeconfig', kubeconfig, '--format', 'json']);
  const findings = (JSON.parse(plan.stdout) as { environments: { findings: { code: string; path: string; message: string }[] }[] }).environments[0]!.findings;
  const drift = findings.find((f) => f.code === 'drift');
  assert.ok(drift, JSON.stringify(findings));
  assert.equal(drift.path, 'spec.traffic.outboundPortExclusionList');
  assert.match(drift.message, /changed in the cluster by kubectl-patch \(Update/);

  const applied = await cli(['apply', ...ARGS, '--kubeconfig', kubeconfig, '--yes', '--commit', 'second']);
  assert.equal(applied.code, 0, applied.stderr);
  assert.deepEqual(await portList(), [6379]);
  const after = await cli(['plan', ...ARGS, '--kubeconfig', kubeconfig, '--format', 'json']);
  assert.doesNotMatch(after.stdout, /"code": "drift"/);
});
