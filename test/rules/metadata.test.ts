/** The metadata rule: every manifest's metadata checked as the API server checks ObjectMeta, with findings at the file and line. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exampleLiveState, planFiles, withCode } from '../support/plan-fixture.ts';
import { chainYaml, ENABLE_PLUGINS, pluginYaml } from '../support/manifests.ts';

const at = (findings: { code: string; line?: number; path?: string }[]) => findings.map((f) => [f.code, f.line, f.path]);

test('a typo under metadata is an unknown field at its line, as one under spec is', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'cors.yaml': pluginYaml('cors').replace('  name: cors\n', '  name: cors\n  lables:\n    team: edge\n') });
  const [finding, ...more] = withCode(plan.findings, 'schema-unknown-field');
  assert.deepEqual(more, []);
  assert.deepEqual([finding?.file, finding?.line, finding?.column, finding?.path], ['clusters/staging/cors.yaml', 5, 3, 'metadata.lables']);
  assert.match(finding!.message, /did you mean "labels"/);
});

test('label keys and values, annotation keys and finalizers the API server refuses are errors at their own lines', async () => {
  const chain = chainYaml('c').replace(
    '  namespace: bookinfo\n',
    [
      '  namespace: bookinfo',
      '  labels:',
      '    team: edge', // line 7: fine
      '    app.kubernetes.io/part-of: -shop', // line 8: value starts with '-'
      '    example.com/a/b: x', // line 9: two '/'
      '  annotations:',
      '    note: free text is fine here', // line 11
      '    bad key: x', // line 12
      '  finalizers:',
      '    - example.com/cleanup', // line 14
      '    - a/b/c', // line 15
      '',
    ].join('\n'),
  );
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'cors.yaml': pluginYaml('cors'), 'chain.yaml': chain });
  assert.deepEqual(at(withCode(plan.findings, 'metadata-invalid')), [
    ['metadata-invalid', 8, 'metadata.labels["app.kubernetes.io/part-of"]'],
    ['metadata-invalid', 9, 'metadata.labels["example.com/a/b"]'],
    ['metadata-invalid', 12, 'metadata.annotations["bad key"]'],
    ['metadata-invalid', 15, 'metadata.finalizers[1]'],
  ]);
});

test('a label value YAML reads as a number is a type error at its line, saying to quote it', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'cors.yaml': pluginYaml('cors').replace('  name: cors\n', '  name: cors\n  labels:\n    version: 1.0\n') });
  const [finding] = withCode(plan.findings, 'schema-type');
  assert.deepEqual([finding?.line, finding?.path], [6, 'metadata.labels.version']);
  assert.match(finding!.message, /quote the value/);
});

test('a manifest copied from `kubectl get -o yaml` is told which server fields to remove, each at its line', async () => {
  const copied = pluginYaml('cors').replace(
    '  name: cors\n',
    '  name: cors\n  uid: 6a1e0d0e-2c3b-4a51-9b1a-0c9d1f1b2a3c\n  resourceVersion: "81723"\n  generation: 2\n  creationTimestamp: "2026-11-30T10:00:00Z"\n',
  );
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'cors.yaml': copied });
  assert.deepEqual(
    withCode(plan.findings, 'metadata-server-field').map((f) => [f.severity, f.line, f.path]),
    [
      ['error', 5, 'metadata.uid'],
      ['error', 6, 'metadata.resourceVersion'],
      ['warning', 7, 'metadata.generation'],
      ['warning', 8, 'metadata.creationTimestamp'],
    ],
  );
});

test('metadata is checked without the CRDs, and only the repository\'s: not the live metadata a MeshConfig is merged onto', async () => {
  const noCrds = exampleLiveState('staging', (objects) => objects.filter((o) => o.kind !== 'CustomResourceDefinition'));
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'cors.yaml': pluginYaml('cors').replace('  name: cors\n', '  name: cors\n  lables: {}\n') }, { live: noCrds });
  assert.ok(withCode(plan.findings, 'schema-unavailable').length > 0, 'the CRD schemas are unavailable');
  assert.deepEqual(at(withCode(plan.findings, 'schema-unknown-field')), [['schema-unknown-field', 5, 'metadata.lables']]);

  const withLive = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS });
  assert.deepEqual(withCode(withLive.findings, 'metadata-server-field'), [], 'the live MeshConfig\'s uid and managedFields are not the repository\'s');
});

test('a metadata.name or namespace that is not a string is a type error at its line, not "no metadata.name"', async () => {
  const plan = await planFiles({
    'meshconfig.yaml': ENABLE_PLUGINS,
    'p.yaml': pluginYaml('123'),
    'c.yaml': chainYaml('c', { namespace: '2024' }),
  });
  // (And prune waits for p.yaml to be read: test/plan/prune.test.ts.)
  assert.deepEqual(at(plan.findings.filter((f) => f.file === 'clusters/staging/p.yaml' && f.code !== 'prune-withheld')), [['schema-type', 4, 'metadata.name']]);
  const [namespace] = plan.findings.filter((f) => f.file === 'clusters/staging/c.yaml');
  assert.deepEqual([namespace?.code, namespace?.line, namespace?.path], ['metadata-invalid', 5, 'metadata.namespace']);
  assert.match(namespace!.message, /must be a string/);
});
