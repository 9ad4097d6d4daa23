import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { KubeObject } from '../../src/core/kube.ts';
import { KubeClient, type KubeApi } from '../../src/kube/kube-client.ts';
import { serverSideApply } from '../../src/kube/fsm-objects.ts';
import { serverDryRun } from '../../src/kube/server-dry-run.ts';
import { asManifest, seed, startCluster, stopCluster, serves } from '../support/kube-test-cluster.ts';
import { exampleClusterObjects, meshConfigYaml } from '../support/plan-fixture.ts';
import { cli, copyExampleRepo } from '../support/cli.ts';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

let kubeconfig: string;
let client: KubeClient;
let repo: string;
let cleanup: () => Promise<void>;

before(async () => {
  kubeconfig = startCluster();
  client = KubeClient.fromFile(kubeconfig);
  const objects = exampleClusterObjects('staging');
  // The MeshConfig is created by fsm-gitops itself here, so it alone owns every field.
  await seed(client, objects.filter((o) => o.kind !== 'MeshConfig'));
  const meshConfig = asManifest(objects.find((o) => o.kind === 'MeshConfig')!);
  await serverSideApply(client, meshConfig as KubeObject, false);
  ({ repo, cleanup } = await copyExampleRepo());
});
after(async () => {
  stopCluster(kubeconfig);
  await cleanup();
});

async function plan(meshConfig: string) {
  await writeFile(join(repo, 'clusters/staging/meshconfig.yaml'), meshConfig);
  const run = await cli(['plan', '--repo', repo, '--env', 'staging', '--kubeconfig', kubeconfig, ...serves(), '--format', 'json']);
  return { code: run.code, stderr: run.stderr, plan: JSON.parse(run.stdout || '{"environments":[]}') as { environments: { changes: { kind: string; action: string; fields: { path: string }[] }[]; findings: { code: string; file: string; line: number; message: string }[] }[] } };
}

test('a field fsm-gitops alone owns, left out of the repository, is removed: a required one is refused by the server at the file', async () => {
  // The repository now sets only featureFlags: server-side apply would drop everything else fsm-gitops owned,
  // including the required spec.connector. Locally the partial spec merges onto the live object and looks fine.
  const { code, plan: result, stderr } = await plan(meshConfigYaml('featureFlags:\n  enablePluginPolicy: true'));
  assert.equal(code, 1, stderr);
  const finding = result.environments[0]!.findings.find((f) => f.code === 'schema-required');
  assert.ok(finding, JSON.stringify(result.environments[0]!.findings));
  assert.equal(finding.file, 'clusters/staging/meshconfig.yaml');
  assert.match(finding.message, /the API server refuses this \(dry run\): spec\.connector/);
});

test('with a live cluster the diff is the dry-run result, defaults included', async () => {
  const live = await client.get('/apis/config.flomesh.io/v1alpha3/namespaces/fsm-system/meshconfigs/fsm-mesh-config', 'read');
  const spec = structuredClone(live!['spec']) as Record<string, Record<string, unknown>>;
  spec['traffic']!['enableEgress'] = false;
  const manifest = { apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' }, spec };
  const { plan: result } = await plan(JSON.stringify(manifest));
  const change = result.environments[0]!.changes.find((c) => c.kind === 'MeshConfig')!;
  assert.equal(change.action, 'update');
  assert.deepEqual(change.fields.map((f) => f.path), ['spec.traffic.enableEgress']);
});

type Finding = { code: string; file: string; line: number; path?: string; message: string };

/** Plans (or applies) with the example's cors.yaml edited, then puts the file back. */
async function withCors(edit: (text: string) => string, command: 'plan' | 'apply' = 'plan') {
  const file = join(repo, 'clusters/staging/plugins/cors.yaml');
  const original = await readFile(file, 'utf8');
  const edited = edit(original);
  assert.notEqual(edited, original, 'the edit changed nothing');
  await writeFile(file, edited);
  try {
    const args = command === 'plan' ? ['--format', 'json'] : ['--yes'];
    const run = await cli([command, '--repo', repo, '--env', 'staging', '--kubeconfig', kubeconfig, ...serves(), ...args]);
    const findings = command === 'plan' && run.stdout ? (JSON.parse(run.stdout) as { environments: { findings: Finding[] }[] }).environments[0]!.findings : [];
    return { ...run, findings };
  } finally {
    await writeFile(file, original);
  }
}

const LABLES = (text: string) => text.replace('  name: cors-policy\n', '  name: cors-policy\n  lables: { team: edge }\n');

test('a typo under metadata (lables) is one finding at its line with exit 1, not exit 3', async () => {
  // The local ObjectMeta check finds it; kube-apiserver's refusal of the same field (500 "failed to create
  // typed patch object: .metadata.lables: field not declared in schema") is not reported a second time.
  const { code, stderr, findings } = await withCors(LABLES);
  assert.equal(code, 1, stderr);
  const found = findings.filter((f) => f.path === 'metadata.lables');
  assert.equal(found.length, 1, JSON.stringify(findings));
  const [finding] = found;
  assert.deepEqual([finding!.code, finding!.file, finding!.line], ['schema-unknown-field', 'clusters/staging/plugins/cors.yaml', 7]);
  assert.match(finding!.message, /unknown field "lables".*did you mean "labels"/);
  // The rest of the plan went on: the PluginChain and PluginConfig were planned too.
  assert.ok(!findings.some((f) => f.code === 'server-rejected'), JSON.stringify(findings));
});

test('a typo in a Plugin field and a misindented key end in findings with exit 1', async () => {
  const typo = await withCors((text) => text.replace('  priority: 165', '  prioriy: 165'));
  assert.equal(typo.code, 1, typo.stderr);
  assert.ok(typo.findings.some((f) => f.code === 'schema-unknown-field' && f.line === 8), JSON.stringify(typo.findings));
  const misindented = await withCors((text) => text.replace('    - cors-policy\n  selectors:', '    - cors-policy\n    selectors:'));
  assert.equal(misindented.code, 1, misindented.stderr);
  assert.ok(misindented.findings.some((f) => f.code === 'schema-unknown-field' && f.path === 'spec.chains[0].selectors'), JSON.stringify(misindented.findings));
});

test('a namespace the cluster does not have is a finding at metadata.namespace, exit 1', async () => {
  const config = join(repo, '.github/fsm-gitops.yml');
  const original = await readFile(config, 'utf8');
  await writeFile(config, original.replace('namespaces: [bookinfo, payments]\n', 'namespaces: [bookinfo, payments, checkout]\n'));
  try {
    const { code, stderr, findings } = await withCors((text) => text.replace('  namespace: bookinfo\nspec:\n  chains', '  namespace: checkout\nspec:\n  chains'));
    assert.equal(code, 1, stderr);
    const finding = findings.find((f) => f.path === 'metadata.namespace');
    assert.ok(finding, JSON.stringify(findings));
    assert.deepEqual([finding.code, finding.line], ['server-rejected', 15]);
    assert.match(finding.message, /the namespace "checkout" does not exist in the cluster/);
  } finally {
    await writeFile(config, original);
  }
});

test('apply refuses with exit 1 and prints the finding, applying nothing', async () => {
  const { code, stdout, stderr } = await withCors(LABLES, 'apply');
  assert.equal(code, 1, stderr);
  assert.match(stdout + stderr, /error \[schema-unknown-field\] clusters\/staging\/plugins\/cors\.yaml:7:\d+ metadata\.lables/);
  assert.equal(await client.get('/apis/plugin.flomesh.io/v1alpha1/plugins/cors-policy', 'read'), undefined);
});

test('every refusal is the outcome of its object, asked once; the other objects are dry-run', async () => {
  let requests = 0;
  const counting: KubeApi = {
    server: client.server,
    request: (request) => (requests++, client.request(request)),
    get: (path, what) => (requests++, client.get(path, what)),
    list: (path, what, selector) => client.list(path, what, selector),
  };
  const plugin = (name: string, apiVersion = 'plugin.flomesh.io/v1alpha1', extra: Record<string, unknown> = {}) =>
    ({ apiVersion, kind: 'Plugin', metadata: { name, ...extra }, spec: { priority: 1, pipyscript: 'pipy()' } }) as KubeObject;
  const chain = { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'PluginChain', metadata: { name: 'c', namespace: 'nowhere' }, spec: { chains: [{ name: 'inbound-http', plugins: ['ok'] }], selectors: {} } } as KubeObject;
  const outcomes = await serverDryRun(counting, [plugin('typo', undefined, { lables: {} }), plugin('old', 'plugin.flomesh.io/v1alpha9'), chain, plugin('ok')]);
  const refused = [...outcomes.values()].map((o) => (o.ok ? 'ok' : `${o.status} ${o.causes.map((c) => `${c.field}: ${c.message}`).join()}${o.causes.length ? '' : o.message}`));
  assert.equal(refused[0], '500 failed to create typed patch object: .metadata.lables: field not declared in schema');
  assert.equal(refused[1], '404 apiVersion: the cluster does not serve Plugin at plugin.flomesh.io/v1alpha9; it serves plugin.flomesh.io/v1alpha1');
  assert.match(refused[2]!, /^404 metadata\.namespace: the namespace "nowhere" does not exist in the cluster/);
  assert.equal(refused[3], 'ok');
  // One apply per object and one discovery read for the unserved version: no refusal was retried.
  assert.equal(requests, 5);
});

test('a script holding characters YAML takes apart (NEL, DEL, a C1 control, U+FFFF) is applied and stored exactly as written', async () => {
  const pipyscript = "pipy()\n// a\u0085b \u007f \u009b \uffff \u2028 \u{1F600}\n";
  const plugin = { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name: 'odd-characters' }, spec: { priority: 1, pipyscript } } as KubeObject;
  // Before, the server parsed the JSON as YAML: NEL came back a space, the others were refused ("control characters are not allowed").
  const dryRun = await serverSideApply(client, plugin, true);
  assert.equal((dryRun as unknown as { spec: { pipyscript: string } }).spec.pipyscript, pipyscript);
  await serverSideApply(client, plugin, false);
  const stored = await client.request<{ spec: { pipyscript: string } }>({ method: 'GET', path: '/apis/plugin.flomesh.io/v1alpha1/plugins/odd-characters', what: 'read the Plugin' });
  assert.equal(stored.spec.pipyscript, pipyscript);
});
