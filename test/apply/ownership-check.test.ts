import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/core/kube.ts';
import { pruneRefusal, writeRefusal } from '../../src/apply/ownership-check.ts';

const OURS = { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': 'staging' };

function plugin(name: string, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name, ...metadata }, spec: { priority: 100 } } as KubeObject;
}
const adopt = (value: string): Record<string, unknown> => ({ labels: OURS, annotations: { 'fsm-gitops.io/adopt': value } });

describe('writeRefusal: the executor writes only what is ours or adopted on purpose', () => {
  const desired = plugin('team-authz', { labels: OURS });

  test('creating, or updating an object this environment owns, is allowed', () => {
    assert.equal(writeRefusal(desired, undefined, 'staging'), undefined);
    assert.equal(writeRefusal(desired, plugin('team-authz', { labels: OURS }), 'staging'), undefined);
  });

  test('an object someone else made since the plan is refused, naming its managers', () => {
    const live = plugin('team-authz', { managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update' }] });
    assert.match(writeRefusal(desired, live, 'staging') ?? '', /^Plugin team-authz is not created by fsm-gitops \(managed by kubectl-client-side-apply\) and its manifest does not adopt it .*plan again$/);
  });

  test("another environment's object is refused unless the manifest names that environment", () => {
    const live = plugin('team-authz', { labels: { ...OURS, 'fsm-gitops.io/environment': 'production' } });
    assert.match(writeRefusal(desired, live, 'staging') ?? '', /owned by fsm-gitops environment production/);
    assert.notEqual(writeRefusal(plugin('team-authz', adopt('true')), live, 'staging'), undefined);
    assert.equal(writeRefusal(plugin('team-authz', adopt('from-environment:production')), live, 'staging'), undefined);
  });

  test('adopt "true" allows an object no environment owns; a malformed value allows nothing', () => {
    const live = plugin('team-authz');
    assert.equal(writeRefusal(plugin('team-authz', adopt('true')), live, 'staging'), undefined);
    assert.notEqual(writeRefusal(plugin('team-authz', adopt('yes')), live, 'staging'), undefined);
  });

  test('the MeshConfig is not labelled, so never refused', () => {
    const meshConfig = { apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' } } as KubeObject;
    assert.equal(writeRefusal(meshConfig, meshConfig, 'staging'), undefined);
  });
});

describe('pruneRefusal: the executor deletes only what still carries both of this environment labels', () => {
  const planned = plugin('legacy-logger', { labels: OURS, uid: 'u1' });

  test('ours, the same object the plan saw: allowed; already gone: nothing to refuse', () => {
    assert.equal(pruneRefusal(planned, plugin('legacy-logger', { labels: OURS, uid: 'u1' }), 'staging'), undefined);
    assert.equal(pruneRefusal(planned, undefined, 'staging'), undefined);
  });

  test('labels removed (handed back) or taken by another environment since the plan: refused', () => {
    assert.match(pruneRefusal(planned, plugin('legacy-logger', { uid: 'u1' }), 'staging') ?? '', /no longer carries this environment's labels \(not created by fsm-gitops\): not deleting it/);
    assert.match(pruneRefusal(planned, plugin('legacy-logger', { uid: 'u1', labels: { ...OURS, 'fsm-gitops.io/environment': 'qa' } }), 'staging') ?? '', /owned by fsm-gitops environment qa/);
    assert.match(pruneRefusal(planned, plugin('legacy-logger', { uid: 'u1', labels: { 'fsm-gitops.io/environment': 'staging' } }), 'staging') ?? '', /not deleting it/);
  });

  test('deleted and created again since the plan (another uid): refused', () => {
    assert.match(pruneRefusal(planned, plugin('legacy-logger', { labels: OURS, uid: 'u2' }), 'staging') ?? '', /uid u1 → u2/);
  });

  test('a MeshConfig is never pruned', () => {
    const meshConfig = { apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system', labels: OURS } } as KubeObject;
    assert.notEqual(pruneRefusal(meshConfig, meshConfig, 'staging'), undefined);
  });
});
