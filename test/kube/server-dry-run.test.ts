import assert from 'node:assert/strict';
import { test } from 'node:test';
import { objectKey, type KubeObject } from '../../src/core/kube.ts';
import type { KubeApi, KubeRequest } from '../../src/kube/kube-client.ts';
import { KubeApiError } from '../../src/kube/kube-errors.ts';
import { serverDryRun } from '../../src/kube/server-dry-run.ts';

const plugin = (name: string, apiVersion = 'plugin.flomesh.io/v1alpha1') => ({ apiVersion, kind: 'Plugin', metadata: { name }, spec: { priority: 1 } }) as KubeObject;

/** A KubeApi whose answers are given per object name (the apply path ends in it); discovery reads answer `discovery`. */
function fake(answers: Record<string, () => unknown>, discovery?: () => unknown): KubeApi {
  return {
    server: 'https://kube.test',
    request: async <T>(request: KubeRequest) => answers[request.path.split('/').pop()!]!() as T,
    get: async () => (discovery ? (discovery() as never) : undefined),
    list: async () => [],
  };
}
const fail = (status: number, body: unknown) => () => {
  throw new KubeApiError(status, body, 'dry-run apply');
};

test('a refusal is the outcome of its object and the next object is still dry-run', async () => {
  const outcomes = await serverDryRun(fake({ a: fail(500, { message: 'failed to create typed patch object: .spec.x: field not declared in schema' }), b: () => plugin('b') }), [plugin('a'), plugin('b')]);
  assert.deepEqual([...outcomes.values()].map((o) => o.ok), [false, true]);
});

test('an apiVersion whose group the cluster does not serve at all says so', async () => {
  const outcomes = await serverDryRun(fake({ a: fail(404, { message: '404 page not found' }) }), [plugin('a', 'plugin.flomesh.io/v1alpha9')]);
  const outcome = [...outcomes.values()][0]!;
  assert.ok(!outcome.ok);
  assert.deepEqual(outcome.causes, [{ field: 'apiVersion', reason: 'VersionNotServed', message: 'the cluster does not serve Plugin at plugin.flomesh.io/v1alpha9: it serves no API group plugin.flomesh.io (is the CRD installed?)' }]);
});

test('RBAC\'s 403, a persistent 503 and other errors still fail the whole dry run', async () => {
  const rbac = { reason: 'Forbidden', message: 'plugins.plugin.flomesh.io "a" is forbidden: User "x" cannot patch resource "plugins"' };
  await assert.rejects(serverDryRun(fake({ a: fail(403, rbac) }), [plugin('a')]), (e: unknown) => e instanceof KubeApiError && e.status === 403);
  await assert.rejects(serverDryRun(fake({ a: fail(503, { message: 'unavailable' }) }), [plugin('a')]), (e: unknown) => e instanceof KubeApiError && e.status === 503);
  await assert.rejects(serverDryRun(fake({ a: fail(500, { reason: 'InternalError', message: 'etcdserver: request timed out' }) }), [plugin('a')]), /etcdserver/);
});

test('only FSM\'s group with a well-formed version builds an API path; a crafted apiVersion throws instead of addressing another object', async () => {
  const { fsmObjectPath } = await import('../../src/kube/fsm-objects.ts');
  const { typeFor } = await import('../../src/kube/resource-paths.ts');
  assert.equal(fsmObjectPath(plugin('a')), '/apis/plugin.flomesh.io/v1alpha1/plugins/a');
  const chain = { apiVersion: 'plugin.flomesh.io/v1alpha1/namespaces/kube-system/pluginchains/victim?', kind: 'PluginChain', metadata: { name: 'c', namespace: 'bookinfo' } } as KubeObject;
  assert.throws(() => fsmObjectPath(chain), /not an apiVersion of FSM's PluginChain/);
  assert.throws(() => fsmObjectPath(plugin('a', 'plugin.flomesh.io/v1alpha1#')), /not an apiVersion/);
  assert.throws(() => typeFor('apps/v1/namespaces/x', 'deployments', true), /not a valid apiVersion/);
  assert.throws(() => typeFor('a%2f/v1', 'x', true), /not a valid apiVersion/);
});

test('dry runs go out concurrently, never more than the bound at once, and the outcomes keep the objects\' order', async () => {
  let inFlight = 0;
  let most = 0;
  const names = Array.from({ length: 20 }, (_, i) => `p${String(i).padStart(2, '0')}`);
  const client: KubeApi = {
    ...fake({}),
    request: async <T>(request: KubeRequest) => {
      most = Math.max(most, ++inFlight);
      const name = request.path.split('/').pop()!;
      // Later objects answer first: the order of answers is not the order of outcomes.
      await new Promise((resolve) => setTimeout(resolve, 40 - names.indexOf(name) * 2));
      inFlight--;
      if (name === 'p07') throw new KubeApiError(422, { reason: 'Invalid', message: 'bad' }, 'dry-run apply');
      return plugin(name) as T;
    },
  };
  const outcomes = await serverDryRun(client, names.map((n) => plugin(n)), 4);
  assert.equal(most, 4);
  assert.deepEqual([...outcomes.keys()], names.map((n) => objectKey(plugin(n))));
  assert.deepEqual([...outcomes.values()].map((o) => o.ok), names.map((n) => n !== 'p07'));
});

test('a failure that fails the run starts no further dry run', async () => {
  const sent: string[] = [];
  const client: KubeApi = {
    ...fake({}),
    request: async <T>(request: KubeRequest) => {
      const name = request.path.split('/').pop()!;
      sent.push(name);
      if (name !== 'p1') await new Promise((resolve) => setTimeout(resolve, 20));
      if (name === 'p1') throw new KubeApiError(403, { reason: 'Forbidden', message: 'cannot patch' }, 'dry-run apply');
      return plugin(name) as T;
    },
  };
  await assert.rejects(serverDryRun(client, ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'].map((n) => plugin(n)), 2), (e: unknown) => e instanceof KubeApiError && e.status === 403);
  // p2 may have taken p1's place before the failure was seen; the rest of the queue was dropped.
  assert.deepEqual(sent.filter((n) => !['p0', 'p1', 'p2'].includes(n)), []);
});
