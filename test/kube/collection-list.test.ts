import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import nock from 'nock';
import { KubeClient, type KubeClientOptions } from '../../src/kube/kube-client.ts';
import { tokenKubeconfig } from '../support/token-kubeconfig.ts';

// How KubeClient.list reads a collection longer than a page: the rest from the watch cache on servers that
// serve it consistently, else (or when that read is refused) by the first page's continue token.
const SERVER = 'https://kube.test:6443';
const KUBECONFIG = tokenKubeconfig(SERVER);
const PATH = '/apis/plugin.flomesh.io/v1alpha1/plugins';
const SELECTOR = 'team=edge';
const client = (options: KubeClientOptions = {}) => KubeClient.fromString(KUBECONFIG, undefined, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, ...options });
const list = (items: string[], metadata: object) => ({ apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'PluginList', metadata, items: items.map((name) => ({ metadata: { name } })) });
const names = (items: { metadata?: unknown }[]) => items.map((i) => (i.metadata as { name: string }).name);

/** Every request that reached nock, as `METHOD path?query` in order. */
let seen: string[] = [];
const record = (req: { method: string; path: string }) => seen.push(`${req.method} ${decodeURIComponent(req.path)}`);

before(() => {
  nock.disableNetConnect();
  nock.emitter.on('no match', record);
});
beforeEach(() => {
  seen = [];
});
afterEach(() => nock.cleanAll());
after(() => {
  nock.emitter.off('no match', record);
  nock.enableNetConnect();
});

/** The API server: a first page of two with a continue token, its second page, /version, and the cache read's answer. */
function server(minor: string, cacheAnswer: (scope: nock.Interceptor) => nock.Scope) {
  const scope = nock(SERVER).persist(false);
  scope.on('request', record);
  scope.get(PATH).query({ limit: '500', labelSelector: SELECTOR }).reply(200, list(['a', 'b'], { resourceVersion: '100', continue: 'next' }));
  scope.get(PATH).query({ limit: '500', continue: 'next', labelSelector: SELECTOR }).reply(200, list(['c'], { resourceVersion: '100' }));
  scope.get('/version').reply(200, { major: '1', minor, gitVersion: `v1.${minor}` });
  return cacheAnswer(scope.get(PATH).query({ resourceVersion: '100', resourceVersionMatch: 'NotOlderThan', labelSelector: SELECTOR }));
}

const FIRST = `GET ${PATH}?labelSelector=${SELECTOR}&limit=500`;
const NEXT = `GET ${PATH}?labelSelector=${SELECTOR}&limit=500&continue=next`;
const CACHE = `GET ${PATH}?labelSelector=${SELECTOR}&resourceVersion=100&resourceVersionMatch=NotOlderThan`;

test('a collection of one page costs one request, as before: no version probe, no cache read', async () => {
  nock(SERVER).on('request', record).get(PATH).query({ limit: '500' }).reply(200, list(['a'], { resourceVersion: '7' }));
  assert.deepEqual(names(await client().list(PATH, 'list Plugin')), ['a']);
  assert.deepEqual(seen, [`GET ${PATH}?limit=500`]);
});

test('on Kubernetes 1.31+, the rest is one read from the watch cache, not older than the first page, which it replaces', async () => {
  // The cache's snapshot is newer than the first page: b was deleted and d created since.
  server('31+', (cache) => cache.reply(200, list(['a', 'c', 'd'], { resourceVersion: '104' })));
  const c = client();
  const items = await c.list(PATH, 'list Plugin', SELECTOR);
  assert.deepEqual(names(items), ['a', 'c', 'd']);
  assert.deepEqual(items[0], { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name: 'a' } });
  assert.deepEqual(seen, [FIRST, 'GET /version', CACHE]);
  // The version is asked once per client, its copies included.
  server('31+', (cache) => cache.reply(200, list(['a'], { resourceVersion: '105' })));
  seen = [];
  await c.withDeadline(Date.now() + 10_000).list(PATH, 'list Plugin', SELECTOR);
  assert.deepEqual(seen, [FIRST, CACHE]);
});

test('before 1.31 (a cache that may wait 3 s for a revision it has not seen), the continue tokens are followed', async () => {
  server('20', (cache) => cache.reply(200, list(['never'], { resourceVersion: '104' })));
  assert.deepEqual(names(await client().list(PATH, 'list Plugin', SELECTOR)), ['a', 'b', 'c']);
  assert.deepEqual(seen, [FIRST, 'GET /version', NEXT]);
});

const REFUSALS: [string, (cache: nock.Interceptor) => nock.Scope][] = [
  ['504 Too large resource version', (cache) => cache.reply(504, { kind: 'Status', reason: 'Timeout', message: 'Timeout: Too large resource version: 100, current: 99', details: { causes: [{ reason: 'ResourceVersionTooLarge' }], retryAfterSeconds: 1 } }, { 'Retry-After': '1' })],
  ['400 from a server without resourceVersionMatch', (cache) => cache.reply(400, { kind: 'Status', reason: 'BadRequest', message: 'resourceVersionMatch is forbidden' })],
  ['410 Expired', (cache) => cache.reply(410, { kind: 'Status', reason: 'Expired', message: 'too old resource version' })],
  ['500', (cache) => cache.reply(500, { kind: 'Status', message: 'boom' })],
  ['no answer in time', (cache) => cache.delay(2_000).reply(200, list(['late'], {}))],
];

for (const [name, refusal] of REFUSALS) {
  test(`a cache read refused (${name}) falls back to the first page's continue token, once, and is not tried again by the client`, async () => {
    server('31', refusal);
    const c = client({ timeoutMs: 1_000 });
    assert.deepEqual(names(await c.list(PATH, 'list Plugin', SELECTOR)), ['a', 'b', 'c']);
    // Asked once, not retried.
    assert.deepEqual(seen, [FIRST, 'GET /version', CACHE, NEXT]);
    server('31', (cache) => cache.reply(200, list(['never'], {})));
    seen = [];
    assert.deepEqual(names(await c.list(PATH, 'list Plugin', SELECTOR)), ['a', 'b', 'c']);
    assert.deepEqual(seen, [FIRST, NEXT]);
  });
}

test('a server whose version cannot be read is read page by page', async () => {
  nock(SERVER).on('request', record).get('/version').reply(403, { kind: 'Status', reason: 'Forbidden', message: 'no' });
  server('31', (cache) => cache.reply(200, list(['never'], {})));
  assert.deepEqual(names(await client().list(PATH, 'list Plugin', SELECTOR)), ['a', 'b', 'c']);
  assert.deepEqual(seen, [FIRST, 'GET /version', NEXT]);
});

test('listFromCache forces the choice either way, without asking the version', async () => {
  server('20', (cache) => cache.reply(200, list(['a', 'b', 'c', 'd'], { resourceVersion: '101' })));
  assert.deepEqual(names(await client({ listFromCache: true }).list(PATH, 'list Plugin', SELECTOR)), ['a', 'b', 'c', 'd']);
  assert.deepEqual(seen, [FIRST, CACHE]);
  nock.cleanAll();
  server('31', (cache) => cache.reply(200, list(['never'], {})));
  seen = [];
  assert.deepEqual(names(await client({ listFromCache: false }).list(PATH, 'list Plugin', SELECTOR)), ['a', 'b', 'c']);
  assert.deepEqual(seen, [FIRST, NEXT]);
});
