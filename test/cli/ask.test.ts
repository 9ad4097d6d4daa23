import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { askOn } from '../../src/cli/io.ts';

/** The question on a terminal (readline's terminal mode, as on a TTY), answered by `keys`. */
async function ask(keys: string, options: { signal?: AbortSignal; onCtrlC?: () => void } = {}): Promise<string> {
  const input = new PassThrough();
  const asked = askOn(input, new PassThrough(), 'Apply? ', { signal: options.signal, onCtrlC: options.onCtrlC ?? (() => {}), terminal: true });
  setImmediate(() => input.write(keys));
  return asked;
}

test("apply's question: an answer is read; Ctrl-D ends it unanswered (''), which is no 'yes', not an error", async () => {
  assert.equal(await ask('yes\r'), 'yes');
  assert.equal(await ask('\x04'), '');
});

test("apply's question: Ctrl-C is passed on as an interrupt; an aborted signal rejects", async () => {
  let interrupted = 0;
  const controller = new AbortController();
  const asked = ask('\x03', { signal: controller.signal, onCtrlC: () => (interrupted++, controller.abort(new Error('interrupted'))) });
  await assert.rejects(asked);
  assert.equal(interrupted, 1);
});
