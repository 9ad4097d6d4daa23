import assert from 'node:assert/strict';
import { test } from 'node:test';
import { untilAborted } from '../../src/core/until-aborted.ts';

const never = new Promise<string>(() => {});

test('the work\'s outcome when it comes first; its listener is gone afterwards', async () => {
  const controller = new AbortController();
  assert.equal(await untilAborted(controller.signal, Promise.resolve('done')), 'done');
  await assert.rejects(untilAborted(controller.signal, Promise.reject(new Error('failed'))), /failed/);
  let heard = 0;
  controller.signal.addEventListener('abort', () => heard++);
  controller.abort();
  assert.equal(heard, 1, 'only the test\'s own listener was left');
});

test('an abort ends the wait for work that never settles, with the signal\'s reason; work that settles later is ignored', async () => {
  const controller = new AbortController();
  const waiting = untilAborted(controller.signal, never);
  controller.abort(new Error('out of time'));
  await assert.rejects(waiting, /out of time/);

  let fail!: (error: Error) => void;
  const late = new Promise<string>((_, reject) => (fail = reject));
  const aborted = AbortSignal.abort(new Error('already'));
  await assert.rejects(untilAborted(aborted, late), /already/);
  fail(new Error('late failure')); // handled: no unhandled rejection ends the test run
  await new Promise((resolve) => setImmediate(resolve));
});
