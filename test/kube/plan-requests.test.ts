import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { cli } from '../support/cli.ts';
import { FakeKube } from '../support/fake-kube.ts';
import { FakeKubeServer } from '../support/fake-kube-server.ts';
import { pathOf, serves } from '../support/kube-test-cluster.ts';
import { exampleClusterObjects } from '../support/plan-fixture.ts';

// Requests per plan (issue 12: one LIST per kind plus one dry run per changed object), counted at a fake API
// server over real HTTPS, with the CLI as a user runs it.
const N = 40;
const CONFIG = `environments:
  staging:
    path: clusters/staging
    cluster: staging
    mesh: { name: fsm, namespace: fsm-system }
    namespaces: [bookinfo]
`;
const spec = (i: number) => ({ priority: 100 + i, pipyscript: `pipy().pipeline().handleMessageStart(() => console.log(${i})).chain()\n` });
const manifest = (i: number, edit: JsonObject = {}) => ({ apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name: `p${i}` }, spec: { ...spec(i), ...edit } });

/** Plugin p<i> as fsm-gitops's apply left it: its labels and commit, and managedFields of exactly those fields. */
function applied(i: number): KubeObject {
  const object = manifest(i) as KubeObject;
  object.metadata['labels'] = { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': 'staging' };
  object.metadata['annotations'] = { 'fsm-gitops.io/commit': 'c0ffee' };
  object.metadata['managedFields'] = [
    {
      manager: 'fsm-gitops',
      operation: 'Apply',
      apiVersion: 'plugin.flomesh.io/v1alpha1',
      time: '2026-11-30T10:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': {
          'f:annotations': { '.': {}, 'f:fsm-gitops.io/commit': {} },
          'f:labels': { '.': {}, 'f:app.kubernetes.io/managed-by': {}, 'f:fsm-gitops.io/environment': {} },
        },
        'f:spec': { '.': {}, 'f:pipyscript': {}, 'f:priority': {} },
      },
    },
  ];
  return object;
}

let server: FakeKubeServer;
let fake: FakeKube;
let dir: string;
let kubeconfig: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-plan-requests-'));
  await mkdir(join(dir, 'repo/.github'), { recursive: true });
  await mkdir(join(dir, 'repo/clusters/staging'), { recursive: true });
  await writeFile(join(dir, 'repo/.github/fsm-gitops.yml'), CONFIG);
  fake = new FakeKube();
  // The cluster's CRDs and namespaces, and a MeshConfig with plugin policy on (FSM ignores Plugins without it).
  const kept = exampleClusterObjects('staging').filter((o) => ['CustomResourceDefinition', 'Namespace', 'MeshConfig'].includes(o.kind));
  for (const object of kept) {
    if (object.kind === 'MeshConfig') (object['spec'] as { featureFlags: JsonObject }).featureFlags['enablePluginPolicy'] = true;
    fake.seed(pathOf(object), object);
  }
  for (let i = 0; i < N; i++) fake.seed(pathOf(applied(i)), applied(i));
  server = await FakeKubeServer.start(fake);
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, server.kubeconfig());
});
beforeEach(() => {
  fake.requests.length = 0;
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function plan(plugins: object[]) {
  await writeFile(join(dir, 'repo/clusters/staging/plugins.yaml'), plugins.map((p) => JSON.stringify(p)).join('\n---\n'));
  const run = await cli(['plan', '--repo', join(dir, 'repo'), '--env', 'staging', '--kubeconfig', kubeconfig, ...serves('staging', 'fake'), '--format', 'json']);
  const changes = run.stdout ? (JSON.parse(run.stdout) as { environments: { changes: { name: string; action: string }[] }[] }).environments[0]!.changes : [];
  const requests = fake.requests.map((r) => `${r.method} ${r.path}${r.query?.['dryRun'] ? ' (dry run)' : ''}`);
  return { ...run, changes, requests, dryRuns: requests.filter((r) => r.startsWith('PATCH')) };
}

/** What any plan reads: the four CRDs, one LIST per FSM kind, the mesh's Helm release Secrets, the monitored namespaces and their workloads. */
const READS = [
  'GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/meshconfigs.config.flomesh.io',
  'GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/plugins.plugin.flomesh.io',
  'GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/pluginchains.plugin.flomesh.io',
  'GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/pluginconfigs.plugin.flomesh.io',
  'GET /apis/config.flomesh.io/v1alpha3/namespaces/fsm-system/meshconfigs',
  'GET /apis/plugin.flomesh.io/v1alpha1/plugins',
  'GET /apis/plugin.flomesh.io/v1alpha1/pluginchains',
  'GET /apis/plugin.flomesh.io/v1alpha1/pluginconfigs',
  'GET /api/v1/namespaces/fsm-system/secrets',
  'GET /api/v1/namespaces',
  ...['bookinfo', 'payments'].flatMap((ns) => ['deployments', 'statefulsets', 'daemonsets'].map((kind) => `GET /apis/apps/v1/namespaces/${ns}/${kind}`)),
].sort();

test(`${N} objects as fsm-gitops applied them: the plan reads, and sends no dry run`, async () => {
  const run = await plan(Array.from({ length: N }, (_, i) => manifest(i)));
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.changes.map((c) => c.action), Array(N).fill('unchanged'));
  assert.deepEqual([...run.requests].sort(), READS);
});

test('changed and new objects are dry-run, each once; the unchanged ones are not', async () => {
  const plugins: object[] = Array.from({ length: N }, (_, i) => manifest(i));
  plugins[3] = manifest(3, { priority: 7 });
  plugins[17] = manifest(17, { pipyscript: 'pipy()\n' });
  plugins[29] = { ...manifest(29), metadata: { name: 'p29', labels: { team: 'edge' } } };
  plugins.push(manifest(N), manifest(N + 1));
  const run = await plan(plugins);
  assert.equal(run.code, 0, run.stderr);
  const dryRunOf = (i: number) => `PATCH /apis/plugin.flomesh.io/v1alpha1/plugins/p${i} (dry run)`;
  assert.deepEqual([...run.dryRuns].sort(), [3, 17, 29, N, N + 1].map(dryRunOf).sort());
  assert.deepEqual(run.requests.filter((r) => !r.startsWith('PATCH')).sort(), READS);
  const actions = new Map(run.changes.map((c) => [c.name, c.action]));
  assert.deepEqual([3, 17, 29, N, N + 1].map((i) => actions.get(`p${i}`)), ['update', 'update', 'update', 'create', 'create']);
});

test('the plan\'s requests share a few kept-alive connections, and the CLI closes them when it is done', async () => {
  const before = server.connections;
  const run = await plan(Array.from({ length: N }, (_, i) => manifest(i, { priority: 1 })));
  assert.equal(run.dryRuns.length, N);
  const handshakes = server.connections - before;
  assert.ok(handshakes <= 16, `${handshakes} TLS connections for ${run.requests.length} requests`);
  for (let i = 0; i < 50 && server.open > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(server.open, 0, 'no connection left open');
});
