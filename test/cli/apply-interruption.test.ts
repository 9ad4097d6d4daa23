import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { ApplyInterruption } from '../../src/cli/apply-interruption.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { InterruptedError, type Interrupt } from '../../src/core/interrupted.ts';

/** A CliIo whose interrupts the test sends; exit() records the code (and throws, as it never returns). */
function interruptibleIo() {
  const handlers: ((interrupt: Interrupt) => void)[] = [];
  const seen = { stderr: '', exits: [] as number[] };
  const io: CliIo = {
    stdout: () => {},
    stderr: (text) => void (seen.stderr += text),
    stdoutIsTty: false,
    stderrIsTty: false,
    stdinIsTty: false,
    env: {},
    ask: async () => '',
    onInterrupt(handler) {
      handlers.push(handler);
      return () => void handlers.splice(handlers.indexOf(handler), 1);
    },
    exit(code): never {
      seen.exits.push(code);
      throw new Error(`exit ${code}`);
    },
  };
  return { io, seen, send: (interrupt: Interrupt) => handlers.at(-1)?.(interrupt), handlers };
}

test('the first Ctrl-C stops the apply (its signal aborts with the interrupt) and says what happens next; nothing exits', () => {
  const { io, seen, send } = interruptibleIo();
  const interruption = new ApplyInterruption(io);
  assert.equal(interruption.signal.aborted, false);
  assert.equal(interruption.exitCode(), undefined);
  send('SIGINT');
  assert.ok(interruption.signal.reason instanceof InterruptedError);
  assert.equal(interruption.by, 'SIGINT');
  assert.equal(interruption.exitCode(), 130);
  assert.match(seen.stderr, /interrupted \(Ctrl-C\): stopping\. No further write starts; anything this apply wrote is rolled back, and its lock released\. Press Ctrl-C again to quit at once, leaving that undone\./);
  assert.deepEqual(seen.exits, []);
});

test('the 16 requests a read has in flight may each listen to the signal: no MaxListenersExceededWarning', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.name);
  process.on('warning', onWarning);
  try {
    const { signal } = new ApplyInterruption(interruptibleIo().io);
    for (let i = 0; i < 16; i++) signal.addEventListener('abort', () => {});
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings.filter((name) => name === 'MaxListenersExceededWarning'), []);
  } finally {
    process.off('warning', onWarning);
  }
});

test('a second interrupt quits at once with its exit code, saying what is left undone', () => {
  const { io, seen, send } = interruptibleIo();
  const interruption = new ApplyInterruption(io);
  send('SIGINT');
  assert.throws(() => send('SIGTERM'), /exit 143/);
  assert.deepEqual(seen.exits, [143]);
  assert.match(seen.stderr, /stopped by SIGTERM again: quitting now\. Anything this apply wrote is not rolled back, its history record is not written, and its lock expires by itself within 60 s/);
  assert.equal(interruption.by, 'SIGINT', 'the first interrupt is the one the apply stopped for');
});

test('once disposed, the handler from before is back', () => {
  const { io, handlers } = interruptibleIo();
  const before = (): void => {};
  io.onInterrupt!(before);
  new ApplyInterruption(io).dispose();
  assert.deepEqual(handlers, [before]);
});

test("the process's interrupts go to the newest handler; with none, SIGINT exits 130 at once and runs the exit listeners", () => {
  const script = `
    import { processIo } from './src/cli/io.ts';
    const io = processIo();
    process.on('exit', (code) => console.log('exit listener ran, code ' + code));
    const restore = io.onInterrupt((signal) => console.log('handled ' + signal));
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => { restore(); process.kill(process.pid, 'SIGINT'); }, 50);
    setTimeout(() => console.log('not stopped'), 5_000);
  `;
  let output = '';
  let status: number | null = 0;
  try {
    output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  } catch (error) {
    ({ stdout: output, status } = error as { stdout: string; status: number | null });
  }
  assert.equal(status, 130);
  assert.equal(output, 'handled SIGTERM\nexit listener ran, code 130\n');
});
