import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withRetry } from '../../src/kube/retry.ts';

const LONG = { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 };
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('an abort during the wait before a retry ends it at once with the signal\'s reason: no further attempt', async () => {
  const controller = new AbortController();
  const reason = new Error('no longer wanted');
  let attempts = 0;
  const retrying = withRetry(LONG, async () => {
    attempts++;
    throw new Error('503 Service Unavailable');
  }, () => true, () => 30_000, { signal: controller.signal });
  await turn();
  assert.equal(attempts, 1);
  // Without the signal the next attempt would come after the 30 s Retry-After: this test's timeout would fail it.
  controller.abort(reason);
  await assert.rejects(retrying, (e: unknown) => e === reason);
  assert.equal(attempts, 1);
});

test('an attempt that ends because of the abort is not retried, and its own error is not the one raised', async () => {
  const controller = new AbortController();
  let attempts = 0;
  const retrying = withRetry(LONG, async () => {
    attempts++;
    controller.abort(new Error('stopped'));
    throw new Error('socket hang up');
  }, () => true, undefined, { signal: controller.signal });
  await assert.rejects(retrying, /stopped/);
  assert.equal(attempts, 1);
});

test('an already aborted signal runs no attempt', async () => {
  let attempts = 0;
  await assert.rejects(withRetry(LONG, async () => ++attempts, () => true, undefined, { signal: AbortSignal.abort(new Error('stopped')) }), /stopped/);
  assert.equal(attempts, 0);
});
