import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import type { JsonObject } from '../../src/core/json.ts';
import { KubeClient, type KubeClientOptions, type KubeRequest } from '../../src/kube/kube-client.ts';
import { startSeededCluster, stopCluster } from '../support/kube-test-cluster.ts';

// KubeClient.list of a collection longer than a page on a real kube-apiserver (1.20): the rest read from the
// watch cache, not older than the first page; and what happens where that cache cannot catch up on demand.
const PLUGINS = '/apis/plugin.flomesh.io/v1alpha1/plugins';
/** Half of them labelled team=odd: more than a page either way. */
const COUNT = 1_100;
let kubeconfig: string;
let admin: KubeClient;
let expected: string[];
/** The bulk Plugins labelled team=odd. */
let odd: string[];

/** A client that records each request's query (what kind of read it was). */
class Recording extends KubeClient {
  readonly queries: Record<string, string | undefined>[] = [];
  override request<T = JsonObject>(request: KubeRequest): Promise<T> {
    this.queries.push(request.path === PLUGINS ? { ...request.query } : { path: request.path });
    return super.request<T>(request);
  }
}

function recording(options: KubeClientOptions): Recording {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  return new Recording(config, options);
}

const plugin = (name: string, team: string) => ({ apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name, labels: { team } }, spec: { priority: 1, pipyscript: 'pipy()\n' } });
const create = (name: string, team = 'late') => admin.request({ method: 'POST', path: PLUGINS, body: plugin(name, team), what: `create Plugin ${name}` });
const names = (items: JsonObject[]) => items.map((i) => (i['metadata'] as { name: string }).name).sort();
/** What kind of read each request was. */
const kinds = (client: Recording) =>
  client.queries.map((q) => (q['path'] ? `GET ${q['path']}` : q['continue'] ? 'next page' : q['resourceVersionMatch'] === 'NotOlderThan' ? `cache, not older than the first page` : q['limit'] ? 'first page' : JSON.stringify(q)));

before(async () => {
  ({ kubeconfig, client: admin } = await startSeededCluster());
  const all = Array.from({ length: COUNT }, (_, i) => `bulk-${String(i).padStart(4, '0')}`);
  await Promise.all(all.map((name, i) => create(name, i % 2 === 0 ? 'even' : 'odd')));
  odd = all.filter((_, i) => i % 2 === 1);
  expected = names(await admin.list(PLUGINS, 'list Plugin'));
  assert.ok(expected.length > COUNT, `${expected.length} Plugins`);
});
after(() => {
  admin.close();
  stopCluster(kubeconfig);
});

test('a collection of more than 500 is read in two requests: the first page, then the whole collection from the cache, including an object created just before', async () => {
  await create('just-created');
  const client = recording({ listFromCache: true });
  const items = await client.list(PLUGINS, 'list Plugin');
  assert.deepEqual(kinds(client), ['first page', 'cache, not older than the first page']);
  assert.deepEqual(names(items), [...expected, 'just-created'].sort());
  assert.equal(new Set(names(items)).size, items.length, 'no object twice');
  assert.deepEqual(items.find((i) => (i['metadata'] as { name: string }).name === 'just-created')?.['kind'], 'Plugin');
  // With a label selector (550 match): the same two requests, and only what matches.
  client.queries.length = 0;
  const odds = await client.list(PLUGINS, 'list Plugin', 'team=odd');
  assert.deepEqual(kinds(client), ['first page', 'cache, not older than the first page']);
  assert.ok(client.queries.every((q) => q['labelSelector'] === 'team=odd'));
  assert.deepEqual(names(odds), odd);
  client.close();
});

test('on 1.20 an unrelated write leaves the cache behind: the cache read is answered 504 after ~3 s, and the list falls back to the continue tokens, still complete', async () => {
  await create('before-the-write');
  await admin.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'unrelated-' } }, what: 'create a ConfigMap' });
  const client = recording({ listFromCache: true });
  const started = Date.now();
  const items = await client.list(PLUGINS, 'list Plugin');
  assert.ok(Date.now() - started >= 2_500, `the cache waited ${Date.now() - started} ms`);
  assert.deepEqual(kinds(client), ['first page', 'cache, not older than the first page', 'next page', 'next page']);
  assert.deepEqual(names(items), [...expected, 'before-the-write', 'just-created'].sort());
  client.close();
});

test('by default, a 1.20 server (its /version) is read page by page: no cache read to wait for', async () => {
  const client = recording({});
  const items = await client.list(PLUGINS, 'list Plugin');
  assert.deepEqual(kinds(client), ['first page', 'GET /version', ...Array<string>(Math.ceil(items.length / 500) - 1).fill('next page')]);
  assert.deepEqual(names(items), [...expected, 'before-the-write', 'just-created'].sort());
  client.close();
});
