import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRetryable, kubeErrorKind, type KubeErrorKind } from '../../src/kube/error-kind.ts';
import { KubeApiError, TransportError } from '../../src/kube/kube-errors.ts';

const status = (code: number, message: string, extra: Record<string, unknown> = {}) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code, ...extra });

// The bodies are kube-apiserver v1.20.2's answers (test/cluster/dry-run.cluster-test.ts meets the first ones for real).
const CASES: [string, number, unknown, KubeErrorKind][] = [
  ['typed patch: unknown field', 500, status(500, 'failed to create typed patch object: .spec.prioriy: field not declared in schema'), 'refusal'],
  ['typed patch: wrong type', 500, status(500, 'failed to create typed patch object: .spec.priority: expected numeric (int or float), got string'), 'refusal'],
  ['typed live object', 500, status(500, 'failed to create typed live object: .spec.x: field not declared in schema'), 'refusal'],
  ['500 with an object reason', 500, status(500, 'Plugin "p" is invalid', { reason: 'Invalid' }), 'refusal'],
  ['500 with a field cause', 500, status(500, 'bad', { details: { causes: [{ field: 'spec.priority', message: 'bad' }] } }), 'refusal'],
  ['500 internal error (etcd)', 500, status(500, 'Internal error occurred: etcdserver: request timed out', { reason: 'InternalError', details: { causes: [{ message: 'etcdserver: request timed out' }] } }), 'transient'],
  ['500 plain text', 500, { message: 'boom' }, 'transient'],
  ['invalid', 422, status(422, 'Plugin "p" is invalid', { reason: 'Invalid' }), 'refusal'],
  ['bad request', 400, status(400, 'admission webhook "x" denied the request', { reason: 'BadRequest' }), 'refusal'],
  ['conflict', 409, status(409, 'Apply failed with 1 conflict', { reason: 'Conflict' }), 'refusal'],
  ['unknown apiVersion', 404, { message: '404 page not found' }, 'refusal'],
  ['missing namespace', 404, status(404, 'namespaces "x" not found', { reason: 'NotFound', details: { name: 'x', kind: 'namespaces' } }), 'refusal'],
  ['too large', 413, status(413, 'Request entity too large', { reason: 'RequestEntityTooLarge' }), 'refusal'],
  ['webhook denial as 403', 403, status(403, 'admission webhook "plugin.flomesh.io" denied the request: no', { reason: 'Forbidden' }), 'refusal'],
  ['403 with a webhook reason', 403, status(403, 'not allowed', { reason: 'PolicyDenied' }), 'refusal'],
  ['RBAC', 403, status(403, 'plugins.plugin.flomesh.io "p" is forbidden: User "x" cannot patch resource "plugins"', { reason: 'Forbidden' }), 'fatal'],
  ['unauthorized', 401, status(401, 'Unauthorized', { reason: 'Unauthorized' }), 'fatal'],
  ['throttled', 429, status(429, 'too many requests', { reason: 'TooManyRequests' }), 'transient'],
  ['request timeout', 408, status(408, 'timeout', { reason: 'Timeout' }), 'transient'],
  ['bad gateway', 502, { message: 'bad gateway' }, 'transient'],
  ['unavailable', 503, status(503, 'the server is currently unable to handle the request', { reason: 'ServiceUnavailable' }), 'transient'],
  ['gateway timeout', 504, { message: 'gateway timeout' }, 'transient'],
];

for (const [name, code, body, kind] of CASES) {
  test(`${code} ${name} is ${kind}`, () => {
    const error = new KubeApiError(code, body, 'dry-run apply Plugin p');
    assert.equal(kubeErrorKind(error), kind);
    assert.equal(isRetryable(error), kind === 'transient');
  });
}

test('no answer at all is transient; any other error is fatal', () => {
  assert.equal(kubeErrorKind(new TransportError('ECONNRESET')), 'transient');
  assert.equal(kubeErrorKind(new Error('Plugin is not an FSM kind')), 'fatal');
});

test('KubeApiError keeps the server\'s own words, the details and Retry-After', () => {
  const error = new KubeApiError(404, status(404, 'namespaces "x" not found', { details: { name: 'x', kind: 'namespaces' } }), 'dry-run apply PluginChain c', '7');
  assert.equal(error.serverMessage, 'namespaces "x" not found');
  assert.equal(error.message, 'dry-run apply PluginChain c: namespaces "x" not found');
  assert.deepEqual(error.details, { name: 'x', kind: 'namespaces' });
  assert.equal(error.retryAfterMs, 7_000);
  assert.equal(new KubeApiError(503, {}, 'x', 'Wed, 21 Oct 2015 07:28:00 GMT').retryAfterMs, undefined);
});
