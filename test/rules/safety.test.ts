import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planFiles, withCode } from '../support/plan-fixture.ts';
import { chainYaml, ENABLE_PLUGINS, pluginYaml } from '../support/manifests.ts';

const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: bookinfo
data:
  password: aHVudGVyMg==
`;

test('a kind that is not FSM is an error and never becomes a change', async () => {
  const plan = await planFiles({ 'secret.yaml': SECRET });
  const [finding] = withCode(plan.findings, 'kind-not-managed');
  assert.equal(finding?.line, 2);
  assert.equal(plan.changes.some((c) => c.kind === 'Secret'), false);
  assert.doesNotMatch(JSON.stringify(plan), /aHVudGVyMg|hunter2/, 'secret data never appears');
});

test('a mistyped FSM kind is told as a typo with the kind meant, not "move this manifest out"', async () => {
  const typo = await planFiles({ 'chain.yaml': chainYaml('c').replace('kind: PluginChain', 'kind: PlugInChain') });
  const [finding] = withCode(typo.findings, 'kind-not-managed');
  assert.match(finding!.message, /PlugInChain \(plugin\.flomesh\.io\/v1alpha1\) is not a kind fsm-gitops manages: .*\. Did you mean kind: PluginChain\? Kinds are case-sensitive$/);
  const secret = await planFiles({ 'secret.yaml': SECRET });
  assert.match(withCode(secret.findings, 'kind-not-managed')[0]!.message, /Move this manifest out of clusters\/staging\/$/);
});

test('a namespace outside the mesh is refused; the default allowed set is the monitored namespaces', async () => {
  const plan = await planFiles({
    'meshconfig.yaml': ENABLE_PLUGINS,
    'cors.yaml': pluginYaml('cors'),
    'chain.yaml': chainYaml('c', { namespace: 'kube-system' }),
  });
  const [finding] = withCode(plan.findings, 'namespace-not-allowed');
  assert.equal(finding?.path, 'metadata.namespace');
  assert.match(finding!.message, /bookinfo, payments/);
  assert.equal(plan.changes.some((c) => c.kind === 'PluginChain' && c.name === 'c'), false);
});

test('a manifest refused for its namespace still has its other errors shown, and none of it is applied', async () => {
  const chain = chainYaml('c', { namespace: 'kube-system', selectors: '    podSelector:\n      matchLabels:\n        "bad key!": x\n' }).replace('  chains:', '  chainz: []\n  chains:');
  const plugin = pluginYaml('p', 'pipy().pipeline(').replace('  name: p\n', '  name: p\n  namespace: bookinfo\n  labelz: {}\n');
  const meshConfig = 'apiVersion: config.flomesh.io/v1alpha3\nkind: MeshConfig\nmetadata:\n  name: fsm-mesh-config\n  namespace: default\nspec:\n  traffic:\n    outboundPortExclusionList: [70000]\n';
  const plan = await planFiles({ 'meshconfig.yaml': meshConfig, 'cors.yaml': pluginYaml('cors'), 'chain.yaml': chain, 'p.yaml': plugin });
  const codes = (file: string): string[] => plan.findings.filter((f) => f.file === `clusters/staging/${file}`).map((f) => f.code).sort();
  assert.deepEqual(codes('chain.yaml'), ['namespace-not-allowed', 'schema-unknown-field', 'selector-invalid']);
  assert.deepEqual(codes('p.yaml'), ['manifest-invalid', 'pipyscript-syntax', 'schema-unknown-field']);
  // Merged onto nothing: a misplaced MeshConfig's partial spec is not "missing" the bootstrap's required fields.
  assert.deepEqual(codes('meshconfig.yaml'), ['namespace-not-allowed', 'port-invalid']);
  assert.deepEqual(plan.changes.filter((c) => ['c', 'p', 'fsm-mesh-config'].includes(c.name) && c.action !== 'unchanged'), []);
});

test('a misplaced copy of a Plugin sharing its .js file reports a script error once; a misplaced manifest in a version the cluster lacks says so', async () => {
  const misplaced = pluginYaml('p', null).replace('  name: p\n', '  name: p\n  namespace: bookinfo\n');
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'a.yaml': pluginYaml('p', null), 'b.yaml': misplaced, 'p.js': 'pipy().pipeline(' });
  assert.equal(withCode(plan.findings, 'pipyscript-syntax').length, 1);
  const version = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'b.yaml': pluginYaml('q').replace('v1alpha1', 'v1beta9').replace('  name: q\n', '  name: q\n  namespace: bookinfo\n') });
  assert.deepEqual(version.findings.filter((f) => f.file === 'clusters/staging/b.yaml').map((f) => f.code).sort(), ['manifest-invalid', 'schema-unavailable']);
});

test('the environment namespaces list replaces the default', async () => {
  const config = 'environments:\n  staging:\n    path: clusters/staging\n    cluster: s\n    namespaces: [payments]\n';
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'cors.yaml': pluginYaml('cors'), 'chain.yaml': chainYaml('c') }, { config });
  assert.equal(withCode(plan.findings, 'namespace-not-allowed').length, 1);
});

test('a MeshConfig in another namespace, and a namespaced Plugin, are refused', async () => {
  const plan = await planFiles({
    'mc.yaml': ENABLE_PLUGINS.replace('namespace: fsm-system', 'namespace: default'),
    'p.yaml': pluginYaml('p').replace('  name: p\n', '  name: p\n  namespace: bookinfo\n'),
  });
  assert.equal(withCode(plan.findings, 'namespace-not-allowed').length, 1);
  assert.match(withCode(plan.findings, 'manifest-invalid')[0]!.message, /cluster-scoped/);
});

test('the same resource in two files is a duplicate, naming the first', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'a.yaml': pluginYaml('p'), 'b.yaml': pluginYaml('p') });
  const [finding] = withCode(plan.findings, 'resource-duplicate');
  assert.equal(finding?.file, 'clusters/staging/b.yaml');
  assert.match(finding!.message, /clusters\/staging\/a\.yaml:1/);
});

test('an environment folder with no files is an error at the config line of its path, and nothing is pruned', async () => {
  const plan = await planFiles({});
  const [finding, ...more] = withCode(plan.findings, 'environment-empty');
  assert.deepEqual(more, []);
  assert.deepEqual([finding?.file, finding?.line], ['.github/fsm-gitops.yml', 3]);
  assert.match(finding!.message, /holds no files \(the folder is empty or not there; paths are from the repository's root\)/);
  assert.deepEqual(plan.changes.filter((c) => c.action === 'delete'), [], 'the labelled legacy-logger objects stay');
});

test('a values.yaml in a subfolder is read as manifests, and the error says values are read only from the environment\'s folder', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'helm/values.yaml': 'fsm:\n  meshName: fsm\n' });
  const [finding] = withCode(plan.findings, 'manifest-invalid');
  assert.equal(finding?.file, 'clusters/staging/helm/values.yaml');
  assert.match(finding!.message, /has no apiVersion or kind: .*; Helm values are read only from the environment's own folder \(clusters\/staging\/values\.yaml\), so this file is read as manifests$/);
});

test('a folder with no resources is empty whatever else it holds: .gitkeep, a README, comments-only YAML', async () => {
  const cases: [Record<string, string>, string][] = [
    [{ '.gitkeep': '' }, 'clusters/staging/.gitkeep'],
    [{ 'README.md': '# staging\n' }, 'clusters/staging/README.md'],
    [{ 'README.md': '# staging\n', 'old.yaml': '# apiVersion: plugin.flomesh.io/v1alpha1\n# kind: Plugin\n---\n' }, 'clusters/staging/old.yaml'],
    [{ 'values.yaml': '# fsm:\n#   meshName: fsm\n' }, 'clusters/staging/values.yaml'],
  ];
  for (const [files, file] of cases) {
    const plan = await planFiles(files);
    const found = withCode(plan.findings, 'environment-empty');
    assert.deepEqual(found.map((f) => f.file), [file], Object.keys(files).join(', '));
    assert.deepEqual(plan.changes.filter((c) => c.action === 'delete'), [], `nothing pruned: ${Object.keys(files).join(', ')}`);
  }
});

test('a folder whose only YAML cannot be read prunes nothing, and says so once (the read error)', async () => {
  const plan = await planFiles({ 'a.yaml': 'a: [1\n' });
  assert.deepEqual(plan.findings.filter((f) => f.severity === 'error').map((f) => f.code), ['yaml-syntax']);
  assert.deepEqual(plan.changes.filter((c) => c.action === 'delete'), []);
});

test('values alone are content: the environment is not empty, and its plugins may be pruned', async () => {
  const plan = await planFiles({ 'values.yaml': 'fsm:\n  meshName: fsm\n' });
  assert.deepEqual(withCode(plan.findings, 'environment-empty'), []);
});

test('object names that are not RFC 1123 subdomains are refused, and never used as paths', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'p.yaml': pluginYaml('../../x', null) });
  const [finding] = withCode(plan.findings, 'metadata-invalid');
  assert.equal(finding?.path, 'metadata.name');
  assert.deepEqual(withCode(plan.findings, 'pipyscript-missing'), []);
  assert.ok(plan.findings.every((f) => !f.file || f.file.startsWith('clusters/staging/')));
});

test('an apiVersion that is not FSM\'s group and a plain version is refused before any URL is built from it', async () => {
  const hostile = ['plugin.flomesh.io/v1alpha1/namespaces/kube-system/pluginchains/victim?', 'plugin.flomesh.io/v1alpha1#', 'plugin.flomesh.io/v1alpha1?dryRun=', 'plugin.flomesh.io/../v1', 'plugin.flomesh.io/V1alpha1'];
  for (const apiVersion of hostile) {
    const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'cors.yaml': pluginYaml('cors'), 'chain.yaml': chainYaml('c').replace('plugin.flomesh.io/v1alpha1', apiVersion) });
    const [finding] = withCode(plan.findings, 'manifest-invalid');
    assert.equal(finding?.path, 'apiVersion', apiVersion);
    assert.equal(finding?.line, 1);
    assert.match(finding!.message, /is not plugin\.flomesh\.io\/<version>/);
    assert.equal(plan.changes.some((c) => c.kind === 'PluginChain' && c.name === 'c'), false, apiVersion);
  }
});
