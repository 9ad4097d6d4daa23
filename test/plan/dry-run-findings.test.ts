import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFieldPath } from '../../src/plan/dry-run-findings.ts';
import { planEnvironment, type PlanOptions } from '../../src/plan/plan.ts';
import { loadEnvironment } from '../../src/desired/load-environment.ts';
import { MemoryRepo } from '../../src/desired/memory-repo.ts';
import { parseRepoConfig } from '../../src/config/repo-config.ts';
import { exampleLiveState, STAGING_CONFIG, CONFIG_FILE } from '../support/plan-fixture.ts';
import { ENABLE_PLUGINS, pluginYaml } from '../support/manifests.ts';

test('parses API server field paths', () => {
  assert.deepEqual(parseFieldPath('spec.chains[0].name'), ['spec', 'chains', 0, 'name']);
  assert.deepEqual(parseFieldPath('metadata.labels[app.kubernetes.io/name]'), ['metadata', 'labels', 'app.kubernetes.io/name']);
});

async function stagingPlan(dryRun: PlanOptions['dryRun'], edit = (yaml: string) => yaml, live = exampleLiveState()) {
  const plugin = edit(pluginYaml('p'));
  const repo = new MemoryRepo({ [CONFIG_FILE]: STAGING_CONFIG, 'clusters/staging/meshconfig.yaml': ENABLE_PLUGINS, 'clusters/staging/p.yaml': plugin });
  const config = parseRepoConfig(CONFIG_FILE, (await repo.read(CONFIG_FILE))!);
  return planEnvironment(await loadEnvironment(repo, config.environments[0]!), live, { dryRun });
}

test('a dry-run refusal becomes a finding at the field it names, coded by its reason', async () => {
  const dryRun = new Map([
    ['plugin.flomesh.io/Plugin//p', { ok: false as const, status: 422, message: 'Plugin "p" is invalid', causes: [{ field: 'spec.priority', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "string": spec.priority in body must be of type number' }] }],
  ]);
  const plan = await stagingPlan(dryRun);
  const finding = plan.findings.find((f) => f.file === 'clusters/staging/p.yaml')!;
  assert.deepEqual([finding.code, finding.line, finding.path], ['schema-type', 6, 'spec.priority']);
  assert.match(finding.message, /API server refuses this \(dry run\)/);
});

test('a refusal without field causes (an admission webhook) is server-rejected at the kind', async () => {
  const dryRun = new Map([['plugin.flomesh.io/Plugin//p', { ok: false as const, status: 400, message: 'admission webhook "plugin.flomesh.io" denied the request', causes: [] }]]);
  const plan = await stagingPlan(dryRun);
  const finding = plan.findings.find((f) => f.code === 'server-rejected')!;
  assert.equal(finding.line, 2);
  assert.match(finding.message, /admission webhook/);
});

test('a typed-patch refusal (a bare 500) is a finding at the field it names, coded like the local check', async () => {
  // The cluster's CRD no longer declares a field the local schema knows: only the server can tell.
  const message = 'failed to create typed patch object: .spec.priority: field not declared in schema';
  const plan = await stagingPlan(new Map([['plugin.flomesh.io/Plugin//p', { ok: false as const, status: 500, message, causes: [] }]]));
  const finding = plan.findings.find((f) => f.file === 'clusters/staging/p.yaml')!;
  assert.deepEqual([finding.code, finding.line, finding.path], ['schema-unknown-field', 6, 'spec.priority']);
  assert.match(finding.message, /the API server refuses this \(dry run\): spec\.priority: field not declared in schema/);
});

test('a refusal naming a map the local check reported inside (metadata.labels for a bad key) is not reported twice', async () => {
  const cause = { field: 'metadata.labels', reason: 'FieldValueInvalid', message: 'Invalid value: "bad key": name part must consist of alphanumeric characters' };
  const plan = await stagingPlan(new Map([['plugin.flomesh.io/Plugin//p', { ok: false as const, status: 422, message: 'Plugin "p" is invalid', causes: [cause] }]]), (yaml) =>
    yaml.replace('  name: p\n', '  name: p\n  labels:\n    bad key: x\n'),
  );
  const findings = plan.findings.filter((f) => f.file === 'clusters/staging/p.yaml');
  assert.deepEqual(findings.map((f) => [f.code, f.line, f.path]), [['metadata-invalid', 6, 'metadata.labels["bad key"]']]);
});

test('a typed-patch refusal of a field the local checks reported is not reported twice', async () => {
  const message = 'failed to create typed patch object: .spec.priority: expected numeric (int or float), got string';
  const plan = await stagingPlan(new Map([['plugin.flomesh.io/Plugin//p', { ok: false as const, status: 500, message, causes: [] }]]), (yaml) => yaml.replace('priority: 100', 'priority: high'));
  const findings = plan.findings.filter((f) => f.path === 'spec.priority');
  assert.deepEqual(findings.map((f) => f.code), ['schema-type'], JSON.stringify(findings));
  assert.doesNotMatch(findings[0]!.message, /API server/);
});

test('the dry-run result, not the local merge, is the change', async () => {
  const live = exampleLiveState();
  const server = structuredClone(live.meshConfig!);
  (server['spec'] as { featureFlags: Record<string, unknown> }).featureFlags['enablePluginPolicy'] = true;
  (server['spec'] as { traffic: Record<string, unknown> }).traffic['enableEgress'] = false; // the server's answer differs from the local guess
  const plan = await stagingPlan(new Map([['config.flomesh.io/MeshConfig/fsm-system/fsm-mesh-config', { ok: true as const, object: server }]]));
  const change = plan.changes.find((c) => c.kind === 'MeshConfig')!;
  assert.ok(change.fields.some((f) => f.path === 'spec.traffic.enableEgress'), JSON.stringify(change.fields));
});

test('a required field the file leaves out that fsm-gitops applied before: the refusal says the apply would remove it, and to keep it', async () => {
  // The cluster's CRD requires spec.priority (a newer one than the reference's, which does not): only the server can tell.
  const required = new Map([['plugin.flomesh.io/Plugin//p', { ok: false as const, status: 422, message: 'Plugin "p" is invalid', causes: [{ field: 'spec.priority', reason: 'FieldValueRequired', message: 'Required value' }] }]]);
  const withoutPriority = (yaml: string) => yaml.replace('  priority: 100\n', '');
  const live = exampleLiveState();
  const applied = {
    apiVersion: 'plugin.flomesh.io/v1alpha1',
    kind: 'Plugin',
    metadata: { name: 'p', labels: { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': 'staging' }, managedFields: [{ manager: 'fsm-gitops', operation: 'Apply', apiVersion: 'plugin.flomesh.io/v1alpha1', time: '2026-12-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:priority': {}, 'f:pipyscript': {} } } }] },
    spec: { priority: 100, pipyscript: 'pipy()' },
  };
  live.pluginObjects = [...live.pluginObjects, applied];
  const plan = await stagingPlan(required, withoutPriority, live);
  const [finding] = plan.findings.filter((f) => f.code === 'schema-required');
  assert.equal(finding?.path, 'spec.priority');
  assert.match(finding!.message, /spec\.priority: Required value\. fsm-gitops applied this field before and this file leaves it out, so the apply would remove it \(server-side apply removes a field its manager stops setting\): keep it in the file; if the default branch has it, bring this branch up to date$/);
  // Set by someone else (kubectl), or never applied: the server's words alone.
  applied.metadata.managedFields[0]!.manager = 'kubectl';
  const other = await stagingPlan(required, withoutPriority, live);
  assert.match(other.findings.find((f) => f.code === 'schema-required')!.message, /spec\.priority: Required value$/);
});
