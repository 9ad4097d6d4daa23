import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { ENVIRONMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../src/core/ownership.ts';
import { MASK, MASK_CHANGED } from '../../src/redact/mask.ts';
import { ENABLE_PLUGINS, pluginConfigYaml } from '../support/manifests.ts';
import { exampleLiveState, planFiles } from '../support/plan-fixture.ts';

const OWNED = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [ENVIRONMENT_LABEL]: 'staging' };

/** A live PluginConfig as fsm-gitops applied it, with a credential in its config. */
function livePluginConfig(name: string, token: string): KubeObject {
  return {
    apiVersion: 'plugin.flomesh.io/v1alpha1',
    kind: 'PluginConfig',
    metadata: { name, namespace: 'bookinfo', labels: OWNED, annotations: { 'fsm-gitops.io/commit': 'c0ffee' }, uid: `uid-${name}`, resourceVersion: '7' },
    spec: { plugin: 'cors', destinationRefs: [{ kind: 'Service', name: 'productpage', namespace: 'bookinfo' }], config: { apiToken: token, level: 'info' } },
  };
}

test('an object as it is live is unchanged, and one whose only difference is a credential is an update that says so, masked', async () => {
  const live = exampleLiveState('staging', (objects) => [...objects, livePluginConfig('same', 'same-token-1'), livePluginConfig('rotated', 'old-token-2')]);
  const plan = await planFiles(
    {
      'meshconfig.yaml': ENABLE_PLUGINS,
      'same.yaml': pluginConfigYaml('same', { config: 'apiToken: same-token-1\nlevel: info' }),
      'rotated.yaml': pluginConfigYaml('rotated', { config: 'apiToken: new-token-3\nlevel: info' }),
    },
    { live },
  );
  const byName = new Map(plan.changes.map((c) => [c.name, c]));
  assert.equal(byName.get('same')?.action, 'unchanged');
  assert.deepEqual(byName.get('same')?.fields, []);
  const rotated = byName.get('rotated');
  assert.equal(rotated?.action, 'update');
  assert.deepEqual(rotated?.fields, [{ path: 'spec.config.apiToken', before: MASK, after: MASK_CHANGED }]);
  assert.ok(!JSON.stringify(plan).match(/same-token-1|old-token-2|new-token-3/), 'no credential in the plan');
});

test('changes of one kind are listed by name as people count (config-2 before config-10), names equal but for leading zeros in code-unit order', async () => {
  const files: Record<string, string> = { 'meshconfig.yaml': ENABLE_PLUGINS };
  for (const n of ['10', '2', '1', '01', '001']) files[`config-${n}.yaml`] = pluginConfigYaml(`config-${n}`, { config: 'level: info' });
  const plan = await planFiles(files, { live: exampleLiveState('staging') });
  assert.deepEqual(plan.changes.filter((c) => c.kind === 'PluginConfig').map((c) => c.name), ['config-001', 'config-01', 'config-1', 'config-2', 'config-10']);
});

test("without the server's dry run (a snapshot), a field fsm-gitops alone applied that the repository no longer sets shows as removed; one another manager also owns stays", async () => {
  const owned = (manager: string, operation: string, fields: JsonObject): JsonObject => ({ manager, operation, apiVersion: 'config.flomesh.io/v1alpha3', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': fields }, time: '2026-12-01T10:00:00Z' });
  const live = (coOwned: boolean) =>
    exampleLiveState('staging', (objects) =>
      objects.map((o) => {
        if (o.kind !== 'MeshConfig') return o;
        const spec = o['spec'] as { sidecar: Record<string, unknown>; featureFlags: Record<string, unknown> };
        spec.sidecar['logLevel'] = 'debug';
        spec.featureFlags['enablePluginPolicy'] = true;
        const ours = owned('fsm-gitops', 'Apply', { 'f:sidecar': { 'f:logLevel': {} }, 'f:featureFlags': { 'f:enablePluginPolicy': {} } });
        const theirs = owned('kubectl-edit', 'Update', { 'f:sidecar': { 'f:logLevel': {} } });
        return { ...o, metadata: { ...o.metadata, managedFields: coOwned ? [ours, theirs] : [ours] } };
      }),
    );
  const removed = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS }, { live: live(false) });
  const change = removed.changes.find((c) => c.kind === 'MeshConfig');
  assert.equal(change?.action, 'update');
  assert.deepEqual(change?.fields.map((f) => [f.path, f.before, f.after]), [['spec.sidecar.logLevel', 'debug', undefined]]);
  const kept = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS }, { live: live(true) });
  assert.equal(kept.changes.find((c) => c.kind === 'MeshConfig')?.action, 'unchanged', 'kubectl-edit owns it too: server-side apply keeps it');
});
