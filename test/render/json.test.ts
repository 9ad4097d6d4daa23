import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/core/json.ts';
import { renderJson } from '../../src/render/json.ts';
import { meshConfigYaml, exampleLiveState, planFiles } from '../support/plan-fixture.ts';

interface ChangeJson {
  action: string;
  kind: string;
  fields: { path: string; before?: unknown; after?: unknown }[];
  after?: JsonObject;
  before?: unknown;
}

test('JSON carries the changes, not the live objects: nothing of the live object outside the changed fields', async () => {
  const live = exampleLiveState('staging', (objects) => {
    const meshConfig = objects.find((o) => o.kind === 'MeshConfig')!;
    meshConfig.metadata['annotations'] = { 'team.example.com/note': 'live-note-4711', 'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{"x":"lastapplied-4712"}}' };
    meshConfig['status'] = { message: 'status-4713' };
    (meshConfig['spec'] as JsonObject)['repoServer'] = { codebase: 'live-codebase-4714', ipaddr: '127.0.0.1' };
    return objects;
  });
  (live.helmRelease!.config['fsm'] as JsonObject)['liveOnly'] = 'helm-live-4715';
  const values = `fsm:\n  meshName: fsm\n  fsmNamespace: fsm-system\n  liveOnly: helm-live-4715\n  fsmController:\n    replicaCount: 3\n`;
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  enableEgress: false'), 'values.yaml': values }, { live });
  const json = renderJson({ environments: [plan] });
  for (const secret of ['live-note-4711', 'lastapplied-4712', 'status-4713', 'live-codebase-4714', 'helm-live-4715', 'managedFields']) {
    assert.ok(!json.includes(secret), `${secret} is in the JSON`);
  }
  const changes = (JSON.parse(json) as { environments: { changes: ChangeJson[] }[] }).environments[0]!.changes;
  const meshConfig = changes.find((c) => c.kind === 'MeshConfig')!;
  assert.deepEqual(meshConfig.fields, [{ path: 'spec.traffic.enableEgress', before: true, after: false }]);
  assert.equal(meshConfig.before, undefined);
  assert.equal(meshConfig.after, undefined, 'an update carries its fields only');
  const created = changes.find((c) => c.action === 'create' && c.kind === 'HelmValues');
  assert.equal(created, undefined, 'the release exists: values are an update');
  assert.deepEqual(changes.find((c) => c.kind === 'HelmValues')!.fields.map((f) => f.path), ['fsm.fsmController.replicaCount']);
});

test('JSON: a create carries the object as it will be applied; the summary counts over all environments', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('featureFlags:\n  enablePluginPolicy: true'), 'p.yaml': 'apiVersion: plugin.flomesh.io/v1alpha1\nkind: Plugin\nmetadata:\n  name: p\nspec:\n  priority: 1\n  pipyscript: "pipy()"\n' });
  const parsed = JSON.parse(renderJson({ environments: [plan, { ...plan, name: 'again' }] }, { code: 2, meaning: 'valid with changes' })) as {
    summary: { environments: number; changes: Record<string, number>; findings: Record<string, number>; restarts: number; exitCode: number; exitMeaning: string };
    environments: { summary: { changes: Record<string, number> }; changes: ChangeJson[] }[];
  };
  const plugin = parsed.environments[0]!.changes.find((c) => c.kind === 'Plugin' && c.action === 'create')!;
  assert.equal((plugin.after!['spec'] as JsonObject)['pipyscript'], 'pipy()');
  const one = parsed.environments[0]!.summary.changes;
  assert.deepEqual(Object.keys(parsed.summary), ['environments', 'changes', 'findings', 'restarts', 'exitCode', 'exitMeaning']);
  assert.equal(parsed.summary.environments, 2);
  assert.equal(parsed.summary.changes['create'], 2 * one['create']!);
  assert.deepEqual([parsed.summary.exitCode, parsed.summary.exitMeaning], [2, 'valid with changes']);
});
