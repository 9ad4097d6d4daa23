import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { KubeApiError, KubeUnreachableError } from '../../src/kube/kube-errors.ts';

const SERVER = 'https://kube.test:6443';
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${SERVER}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: secret-token } }]
contexts: [{ name: ctx, context: { cluster: c, user: u } }, { name: other, context: { cluster: c, user: u } }]
current-context: ctx
`;
const fast = { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } };
const client = () => KubeClient.fromString(KUBECONFIG, undefined, fast);

before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

test('sends the bearer token and returns the wire JSON untouched', async () => {
  const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x' }, spec: { 'x-kubernetes-preserve-unknown-fields': true } };
  nock(SERVER, { reqheaders: { authorization: 'Bearer secret-token' } }).get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x').reply(200, crd);
  assert.deepEqual(await client().get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x', 'read CRD'), crd);
});

test('retries 429 and 5xx, then succeeds', async () => {
  nock(SERVER).get('/api/v1/namespaces').query(true).reply(429, {}).get('/api/v1/namespaces').query(true).reply(503, {}).get('/api/v1/namespaces').query(true).reply(200, { kind: 'NamespaceList', apiVersion: 'v1', items: [] });
  assert.deepEqual(await client().list('/api/v1/namespaces', 'list'), []);
  assert.ok(nock.isDone());
});

test('never retries a validation error, and keeps the Status causes', async () => {
  const status = { kind: 'Status', status: 'Failure', reason: 'Invalid', message: 'MeshConfig is invalid', details: { causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.connector' }] } };
  const scope = nock(SERVER).patch('/x').once().reply(422, status);
  const error = await client().request({ method: 'PATCH', path: '/x', body: {}, what: 'apply MeshConfig' }).catch((e: unknown) => e);
  assert.ok(error instanceof KubeApiError);
  assert.equal(error.status, 422);
  assert.deepEqual(error.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.connector' }]);
  assert.match(error.message, /^apply MeshConfig: MeshConfig is invalid/);
  assert.ok(scope.isDone());
});

test('never retries a 500 that refuses the object (server-side apply\'s typed patch), and keeps the server\'s words', async () => {
  const status = { kind: 'Status', status: 'Failure', message: 'failed to create typed patch object: .metadata.lables: field not declared in schema', code: 500 };
  const scope = nock(SERVER).patch('/p').once().reply(500, status);
  const error = await client().request({ method: 'PATCH', path: '/p', body: {}, what: 'dry-run apply Plugin p' }).catch((e: unknown) => e);
  assert.ok(error instanceof KubeApiError);
  assert.equal(error.serverMessage, status.message);
  assert.ok(scope.isDone());
  assert.ok(nock.isDone());
});

test('waits the Retry-After seconds of a 503 (and a 429) before the next try', async () => {
  const patient = KubeClient.fromString(KUBECONFIG, undefined, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5_000 } });
  for (const code of [503, 429]) {
    nock(SERVER).get('/z').reply(code, { message: 'later' }, { 'Retry-After': '1' }).get('/z').reply(200, { ok: true });
    const started = Date.now();
    assert.deepEqual(await patient.request({ method: 'GET', path: '/z', what: 'read z' }), { ok: true });
    assert.ok(Date.now() - started >= 950, `${code}: retried after ${Date.now() - started} ms`);
  }
  // Without the header a 503 backs off as usual (1 ms here).
  nock(SERVER).get('/z').reply(503, { message: 'later' }).get('/z').reply(200, { ok: true });
  const started = Date.now();
  await patient.request({ method: 'GET', path: '/z', what: 'read z' });
  assert.ok(Date.now() - started < 500, `retried after ${Date.now() - started} ms`);
});

test('gives up after the retry budget on persistent 5xx', async () => {
  nock(SERVER).get('/y').times(3).reply(500, { message: 'boom' });
  await assert.rejects(client().request({ method: 'GET', path: '/y', what: 'read y' }), (e: unknown) => e instanceof KubeApiError && e.status === 500);
});

test('lists follow continue tokens and restore apiVersion and kind on items', async () => {
  nock(SERVER)
    .get('/apis/plugin.flomesh.io/v1alpha1/plugins').query({ limit: '500' })
    .reply(200, { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'PluginList', metadata: { continue: 'next' }, items: [{ metadata: { name: 'a' } }] })
    .get('/apis/plugin.flomesh.io/v1alpha1/plugins').query({ limit: '500', continue: 'next' })
    .reply(200, { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'PluginList', metadata: {}, items: [{ metadata: { name: 'b' } }] });
  const items = await client().list('/apis/plugin.flomesh.io/v1alpha1/plugins', 'list');
  assert.deepEqual(items, [
    { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name: 'a' } },
    { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name: 'b' } },
  ]);
});

test('an unknown context is refused, naming the ones there are', () => {
  assert.throws(() => KubeClient.fromString(KUBECONFIG, 'prod'), /no context "prod"; it has: ctx, other/);
});

