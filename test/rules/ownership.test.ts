/**
 * Ownership is never granted by fsm-gitops's own write (issue 9): the example staging cluster holds
 * team-authz (made with kubectl apply, no labels) and legacy-logger / legacy-logger-chain (fsm-gitops's, staging).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../src/core/kube.ts';
import { exampleLiveState, planFiles, withCode } from '../support/plan-fixture.ts';
import { chainYaml, ENABLE_PLUGINS, pluginYaml } from '../support/manifests.ts';

const adopting = (value: string): string => `  annotations:\n    fsm-gitops.io/adopt: "${value}"\n`;
/** team-authz as the repository defines it, with extra metadata lines after its name. */
const teamAuthz = (metadata = ''): string => pluginYaml('team-authz').replace('  name: team-authz\n', `  name: team-authz\n${metadata}`);

/** The staging cluster with team-authz labelled as `environment`'s. */
function ownedByEnvironment(environment: string) {
  return exampleLiveState('staging', (objects) =>
    objects.map((o: KubeObject) =>
      o.kind === 'Plugin' && o.metadata.name === 'team-authz'
        ? { ...o, metadata: { ...o.metadata, labels: { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': environment } } }
        : o,
    ),
  );
}

test('a repository Plugin whose live object fsm-gitops did not create is an error at its name, saying how to adopt it', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'team-authz.yaml': teamAuthz() });
  const findings = withCode(plan.findings, 'not-owned');
  assert.equal(findings.length, 1);
  const [finding] = findings;
  assert.equal(finding!.severity, 'error');
  assert.equal(finding!.file, 'clusters/staging/team-authz.yaml');
  assert.equal(finding!.path, 'metadata.name');
  assert.equal(finding!.line, 4);
  assert.match(finding!.message, /^Plugin team-authz exists in the cluster, not created by fsm-gitops \(made with kubectl apply\)/);
  assert.match(finding!.message, /fsm-gitops\.io\/adopt: "true"/);
  assert.deepEqual(withCode(plan.findings, 'adopt'), []);
});

test('the live managers are named from managedFields', async () => {
  const live = exampleLiveState('staging', (objects) =>
    objects.map((o) => (o.metadata.name === 'team-authz' ? { ...o, metadata: { ...o.metadata, managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: {} }], labels: { 'app.kubernetes.io/managed-by': 'Helm' } } } : o)),
  );
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'team-authz.yaml': teamAuthz() }, { live });
  const [finding] = withCode(plan.findings, 'not-owned');
  assert.match(finding!.message, /not created by fsm-gitops \(labelled app\.kubernetes\.io\/managed-by=Helm; managed by kubectl-client-side-apply\)/);
});

test('adopt "true" turns it into an update with an adopt warning, and the object applied carries our labels and the annotation', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'team-authz.yaml': teamAuthz(adopting('true')) });
  assert.deepEqual(withCode(plan.findings, 'not-owned'), []);
  const [adopt] = withCode(plan.findings, 'adopt');
  assert.equal(adopt?.severity, 'warning');
  assert.equal(adopt?.path, 'metadata.name');
  assert.match(adopt!.message, /this apply adopts it \(fsm-gitops\.io\/adopt: "true"\).*prune deletes it if the repository drops it/);
  const change = plan.changes.find((c) => c.kind === 'Plugin' && c.name === 'team-authz');
  assert.equal(change?.action, 'update');
  const metadata = change!.after!['metadata'] as { labels: Record<string, string>; annotations: Record<string, string> };
  assert.equal(metadata.labels['fsm-gitops.io/environment'], 'staging');
  assert.equal(metadata.annotations['fsm-gitops.io/adopt'], 'true');
});

test("another environment's object is an error naming it; only from-environment:<that name> adopts it", async () => {
  const live = ownedByEnvironment('production');
  const plain = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'team-authz.yaml': teamAuthz() }, { live });
  const [finding] = withCode(plain.findings, 'not-owned');
  assert.match(finding!.message, /owned by fsm-gitops environment production: applying would take it from that environment/);
  assert.match(finding!.message, /fsm-gitops\.io\/adopt: "from-environment:production"/);

  for (const wrong of ['true', 'from-environment:qa']) {
    const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'team-authz.yaml': teamAuthz(adopting(wrong)) }, { live });
    const [still] = withCode(plan.findings, 'not-owned');
    assert.match(still?.message ?? '', /does not cover that/, `adopt: "${wrong}" does not adopt production's object`);
  }

  const named = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'team-authz.yaml': teamAuthz(adopting('from-environment:production')) }, { live });
  assert.deepEqual(withCode(named.findings, 'not-owned'), []);
  assert.match(withCode(named.findings, 'adopt')[0]?.message ?? '', /environment production no longer manages or prunes it/);
});

test('from-environment:<name> does not adopt an object no environment owns', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'team-authz.yaml': teamAuthz(adopting('from-environment:production')) });
  assert.equal(withCode(plan.findings, 'not-owned').length, 1);
});

test("this environment's own objects, new objects and the MeshConfig get no ownership finding", async () => {
  const plan = await planFiles({
    'meshconfig.yaml': ENABLE_PLUGINS,
    'legacy.yaml': pluginYaml('legacy-logger'),
    'chain.yaml': chainYaml('legacy-logger-chain', { plugins: ['legacy-logger'] }),
    'new.yaml': pluginYaml('brand-new'),
  });
  assert.deepEqual([...withCode(plan.findings, 'not-owned'), ...withCode(plan.findings, 'adopt')], []);
});

test('a namespaced PluginChain of another environment is refused too', async () => {
  const live = exampleLiveState('staging', (objects) =>
    objects.map((o) => (o.metadata.name === 'legacy-logger-chain' ? { ...o, metadata: { ...o.metadata, labels: { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': 'qa' } } } : o)),
  );
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'chain.yaml': chainYaml('legacy-logger-chain', { plugins: ['team-authz'] }) }, { live });
  const [finding] = withCode(plan.findings, 'not-owned');
  assert.match(finding!.message, /^PluginChain bookinfo\/legacy-logger-chain exists in the cluster, owned by fsm-gitops environment qa/);
});

test('an adopt annotation that is neither "true" nor from-environment:<name> is manifest-invalid at the annotation', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'team-authz.yaml': teamAuthz(adopting('yes')) });
  const [finding] = withCode(plan.findings, 'manifest-invalid');
  assert.equal(finding?.path, 'metadata.annotations["fsm-gitops.io/adopt"]');
  assert.match(finding!.message, /"true" .* or "from-environment:<name>" .*, not "yes"/);
});

test('a repository object whose live object is being deleted (a finalizer holds it) is an error: an apply would vanish with it', async () => {
  const live = exampleLiveState('staging', (objects) =>
    objects.map((o: KubeObject) =>
      o.kind === 'Plugin' && o.metadata.name === 'team-authz'
        ? { ...o, metadata: { ...o.metadata, labels: { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': 'staging' }, deletionTimestamp: '2026-12-03T09:55:20Z', finalizers: ['example.com/hold'] } }
        : o,
    ),
  );
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'team-authz.yaml': teamAuthz() }, { live });
  const [finding, ...more] = withCode(plan.findings, 'object-terminating');
  assert.deepEqual(more, []);
  assert.equal(finding?.severity, 'error');
  assert.equal(finding?.path, 'metadata.name');
  assert.match(finding!.message, /^Plugin team-authz is being deleted since 2026-12-03T09:55:20Z; finalizers example\.com\/hold hold it in the cluster: whatever is applied to it goes with it/);
  const calm = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'team-authz.yaml': teamAuthz() }, { live: ownedByEnvironment('staging') });
  assert.deepEqual(withCode(calm.findings, 'object-terminating'), []);
});
