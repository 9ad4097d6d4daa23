import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTypedPatchFailure, resolveTypedPath } from '../../src/plan/typed-patch-path.ts';

test('splits kube-apiserver\'s typed-patch refusal into the field and the detail', () => {
  assert.deepEqual(parseTypedPatchFailure('failed to create typed patch object: .spec.prioriy: field not declared in schema'), { field: '.spec.prioriy', detail: 'field not declared in schema' });
  assert.deepEqual(parseTypedPatchFailure('failed to create typed patch object: .spec.priority: expected numeric (int or float), got *value.valueUnstructured'), {
    field: '.spec.priority',
    detail: 'expected numeric (int or float), got *value.valueUnstructured',
  });
  assert.equal(parseTypedPatchFailure('admission webhook "x" denied the request'), undefined);
});

const chain = {
  metadata: { labels: { 'app.kubernetes.io/name': 'x', app: 'y' } },
  spec: { chains: [{ name: 'inbound-tcp', plugins: ['a'] }, { name: 'inbound-http', plugins: ['a', 'b'] }] },
};

test('resolves structured-merge-diff paths against the object: indexes, keyed items, set values, dotted keys', () => {
  assert.deepEqual(resolveTypedPath(chain, '.spec.chains[1].name'), ['spec', 'chains', 1, 'name']);
  assert.deepEqual(resolveTypedPath(chain, '.spec.chains[name="inbound-http"].plugins[="b"]'), ['spec', 'chains', 1, 'plugins', 1]);
  assert.deepEqual(resolveTypedPath(chain, '.metadata.labels.app.kubernetes.io/name'), ['metadata', 'labels', 'app.kubernetes.io/name']);
  assert.deepEqual(resolveTypedPath(chain, '.metadata.labels.app'), ['metadata', 'labels', 'app']);
});

test('stops at the first step the object does not have', () => {
  assert.deepEqual(resolveTypedPath(chain, '.spec.chains[name="outbound"].plugins'), ['spec', 'chains']);
  assert.deepEqual(resolveTypedPath(chain, '.spec.selectors.podSelector'), ['spec', 'selectors']);
});
