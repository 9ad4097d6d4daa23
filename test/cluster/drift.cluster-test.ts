import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { managerEntry, ownersOf } from '../../src/plan/managed-fields.ts';
import { cli, copyExampleRepo } from '../support/cli.ts';
import { asManifest, startSeededCluster, stopCluster, serves } from '../support/kube-test-cluster.ts';
import { FaultProxy } from '../support/fault-proxy.ts';

let kubeconfig: string;
let client: KubeClient;
const MESH_CONFIG = '/apis/config.flomesh.io/v1alpha3/namespaces/fsm-system/meshconfigs/fsm-mesh-config';
const CHAIN = '/apis/plugin.flomesh.io/v1alpha1/namespaces/bookinfo/pluginchains/cors-chain';
const ARGS = ['--repo', 'examples/gitops', '--env', 'staging'];

interface PlanJson {
  environments: { findings: { code: string; path: string; message: string }[]; changes: { kind: string; action: string; fields: { path: string }[] }[] }[];
}

before(async () => {
  ({ kubeconfig, client } = await startSeededCluster());
  const applied = await cli(['apply', ...ARGS, '--kubeconfig', kubeconfig, ...serves(), '--yes', '--commit', 'first']);
  assert.equal(applied.code, 0, applied.stderr);
});
after(() => stopCluster(kubeconfig));

const read = async (path: string): Promise<KubeObject> => (await client.get(path, 'read'))! as KubeObject;
const portList = async () => ((await read(MESH_CONFIG))['spec'] as { traffic: { outboundPortExclusionList: number[] } }).traffic.outboundPortExclusionList;

async function plan(args = ARGS): Promise<PlanJson['environments'][number]> {
  const result = await cli(['plan', ...args, '--kubeconfig', kubeconfig, ...serves(), '--format', 'json']);
  assert.equal(result.code === 0 || result.code === 1 || result.code === 2, true, result.stderr);
  return (JSON.parse(result.stdout) as PlanJson).environments[0]!;
}

/**
 * managedFields times are whole seconds: a change in the second of fsm-gitops's apply of an object it
 * created cannot be told from the creation. A person's edit comes later; wait for the next second.
 */
async function afterApplySecond(path: string): Promise<void> {
  const time = managerEntry(await read(path), 'fsm-gitops')?.time;
  assert.ok(time);
  const wait = Date.parse(time) + 1000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

const mergePatch = (path: string, fieldManager: string, body: JsonObject) =>
  client.request({ method: 'PATCH', path, query: { fieldManager }, contentType: 'application/merge-patch+json', body, what: `patch by hand (${fieldManager})` });

test('requests per plan on a real API server: what fsm-gitops applied is only read, an edited object is the one dry run', async () => {
  // A counting proxy in front of the API server; the plan goes through it (its context is "proxy").
  const proxy = await FaultProxy.start(kubeconfig);
  const { repo, cleanup } = await copyExampleRepo();
  try {
    const planVia = async (repoDir: string) => {
      proxy.seen.length = 0;
      const result = await cli(['plan', '--repo', repoDir, '--env', 'staging', '--kubeconfig', proxy.kubeconfig, ...serves('staging', 'proxy'), '--format', 'json']);
      assert.equal(result.code, 0, result.stderr);
      const changes = (JSON.parse(result.stdout) as PlanJson).environments[0]!.changes;
      return { changes, requests: proxy.seen.map((r) => `${r.method} ${r.url.split('?')[0]}${r.url.includes('dryRun=All') ? ' (dry run)' : ''}`) };
    };
    const unchanged = await planVia(repo);
    assert.deepEqual(unchanged.changes.filter((c) => c.kind !== 'HelmValues').map((c) => c.action), ['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    const reads = unchanged.requests.filter((r) => r.startsWith('GET'));
    assert.deepEqual(unchanged.requests, reads, 'no dry run: every object is as fsm-gitops applied it');
    assert.equal(new Set(reads).size, reads.length, 'each collection read once');

    const file = join(repo, 'clusters/staging/plugins/cors.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('priority: 165', 'priority: 166'));
    const edited = await planVia(repo);
    assert.equal(edited.changes.find((c) => c.kind === 'Plugin')?.action, 'update');
    assert.deepEqual(edited.requests.filter((r) => !r.startsWith('GET')), ['PATCH /apis/plugin.flomesh.io/v1alpha1/plugins/cors-policy (dry run)']);
    assert.deepEqual(edited.requests.filter((r) => r.startsWith('GET')).sort(), [...reads].sort());
  } finally {
    await cleanup();
    await proxy.close();
  }
});

test('a person\'s kubectl patch of a field the repository sets is drift, named in the plan and taken back by apply', async () => {
  await afterApplySecond(MESH_CONFIG);
  await mergePatch(MESH_CONFIG, 'kubectl-patch', { spec: { traffic: { outboundPortExclusionList: [6379, 11211] } } });
  const drift = (await plan()).findings.filter((f) => f.code === 'drift');
  assert.deepEqual(drift.map((f) => f.path), ['spec.traffic.outboundPortExclusionList'], JSON.stringify(drift));
  assert.match(drift[0]!.message, /changed in the cluster by kubectl-patch \(Update at [0-9T:-]+Z\) after fsm-gitops applied it \(at [0-9T:-]+Z\): it is \[6379,11211\] there, \[6379\] in the repository/);

  const applied = await cli(['apply', ...ARGS, '--kubeconfig', kubeconfig, ...serves(), '--yes', '--commit', 'second']);
  assert.equal(applied.code, 0, applied.stderr);
  assert.deepEqual(await portList(), [6379]);
  assert.deepEqual((await plan()).findings.filter((f) => f.code === 'drift'), []);
});

test('after an apply that took a drifted field back, a kubectl edit of another field the repository sets is drift too', async () => {
  await afterApplySecond(MESH_CONFIG);
  await mergePatch(MESH_CONFIG, 'kubectl-edit', { spec: { featureFlags: { enablePluginPolicy: false } } });
  const drift = (await plan()).findings.filter((f) => f.code === 'drift');
  assert.deepEqual(drift.map((f) => f.path), ['spec.featureFlags.enablePluginPolicy'], JSON.stringify(drift));
  assert.match(drift[0]!.message, /changed in the cluster by kubectl-edit \(Update at [0-9T:-]+Z\) after fsm-gitops applied it/);
  const applied = await cli(['apply', ...ARGS, '--kubeconfig', kubeconfig, ...serves(), '--yes', '--commit', 'third']);
  assert.equal(applied.code, 0, applied.stderr);
  assert.deepEqual((await plan()).findings.filter((f) => f.code === 'drift'), []);
});

test('the repository starting to set a field only fsm-bootstrap set takes it over: an update, not drift', async () => {
  const { repo, cleanup } = await copyExampleRepo();
  try {
    const file = join(repo, 'clusters/staging/meshconfig.yaml');
    await writeFile(file, `${await readFile(file, 'utf8')}  sidecar:\n    logLevel: debug\n`);
    assert.deepEqual(ownersOf(await read(MESH_CONFIG), ['spec', 'sidecar', 'logLevel']).map((o) => o.manager), ['fsm-bootstrap']);
    const result = await plan(['--repo', repo, '--env', 'staging']);
    assert.deepEqual(result.findings.filter((f) => f.code === 'drift'), []);
    const meshConfig = result.changes.find((c) => c.kind === 'MeshConfig')!;
    assert.equal(meshConfig.action, 'update');
    assert.deepEqual(meshConfig.fields.map((f) => f.path), ['spec.sidecar.logLevel']);
  } finally {
    await cleanup();
  }
});

test('a label added inside an atomic selector is drift at the selector; a restore by server-side apply as fsm-gitops leaves none', async () => {
  await afterApplySecond(CHAIN);
  await mergePatch(CHAIN, 'kubectl-edit', { spec: { selectors: { podSelector: { matchLabels: { tier: 'web' } } } } });
  // The server records the atomic map whole: kubectl-edit now owns spec.selectors.podSelector, fsm-gitops does not.
  const edited = await read(CHAIN);
  assert.deepEqual(ownersOf(edited, ['spec', 'selectors', 'podSelector']).map((o) => o.manager), ['kubectl-edit']);
  const drift = (await plan()).findings.filter((f) => f.code === 'drift');
  assert.deepEqual(drift.map((f) => f.path), ['spec.selectors.podSelector'], JSON.stringify(drift));
  assert.match(drift[0]!.message, /changed in the cluster by kubectl-edit \(Update at .*it is \{"matchLabels":\{"app":"productpage","tier":"web"\}\} there, \{"matchLabels":\{"app":"productpage"\}\} in the repository/);

  // What the rollback does: apply the object as it was, server-side, as fsm-gitops, taking conflicting fields.
  const restored = asManifest(edited);
  (restored['spec'] as { selectors: JsonObject }).selectors['podSelector'] = { matchLabels: { app: 'productpage' } };
  await client.request({ method: 'PATCH', path: CHAIN, query: { fieldManager: 'fsm-gitops', force: 'true' }, contentType: 'application/apply-patch+yaml', body: restored, what: 'restore by server-side apply' });
  const after = await read(CHAIN);
  assert.deepEqual(ownersOf(after, ['spec', 'selectors', 'podSelector']).map((o) => o.manager), ['fsm-gitops']);
  const result = await plan();
  assert.deepEqual(result.findings.filter((f) => f.code === 'drift' || /unknown/.test(f.message)), []);
  assert.equal(result.changes.find((c) => c.kind === 'PluginChain')?.action, 'unchanged');
});
