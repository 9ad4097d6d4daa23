import { interruptExitCode, type Interrupt } from '../core/interrupted.ts';
import type { JsonValue } from '../core/json.ts';
import { fstatSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { BatchedWrites } from './batched-writes.ts';

/** The CLI's view of its process, so tests can run it in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
  /** stdout and stderr are one file or pipe (`> log 2>&1`, a CI job's log): what stderr showed is in the same place. */
  sameOutput?: boolean;
  env: Record<string, string | undefined>;
  stdinIsTty: boolean;
  /**
   * Asks a yes/no question on the terminal; rejects once `signal` aborts. Ctrl-C while it asks is an interrupt
   * (onInterrupt); Ctrl-D ends it unanswered: the answer is ''.
   */
  ask(question: string, signal?: AbortSignal): Promise<string>;
  /**
   * Makes `handler` what an interrupt (Ctrl-C, SIGTERM) does, until the returned function puts back the one
   * before. Without one, the process exits at once (interruptExitCode), running its `exit` listeners: helm
   * stopped, temp folders removed (temp-folder.ts).
   */
  onInterrupt?(handler: (interrupt: Interrupt) => void): () => void;
  /** Ends the process now with `code` (stderr flushed first). */
  exit?(code: number): never;
  /** Remembers credentials (Redactor.learn): stderr and questions hide them from then on (runCli sets it). */
  learnSecrets?(kind: string, value: JsonValue): void;
}

/**
 * The process's streams; stderr's lines are batched (BatchedWrites, at most every 50 ms), and written before
 * stdout's and at exit. SIGINT and SIGTERM go to the newest onInterrupt handler.
 */
export function processIo(): CliIo {
  const stderr = new BatchedWrites((text) => process.stderr.write(text));
  process.once('exit', () => stderr.flush());
  const exit = (code: number): never => {
    stderr.flush();
    process.exit(code);
  };
  const handlers: ((interrupt: Interrupt) => void)[] = [];
  const interrupt = (signal: Interrupt): void => {
    const handler = handlers.at(-1);
    if (handler) handler(signal);
    else exit(interruptExitCode(signal));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  return {
    stdout: (text) => {
      stderr.flush();
      process.stdout.write(text);
    },
    stderr: (text) => stderr.add(text),
    stdoutIsTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    sameOutput: sameFile(1, 2),
    env: process.env,
    stdinIsTty: process.stdin.isTTY === true,
    async ask(question, signal) {
      stderr.flush();
      return askOn(process.stdin, process.stderr, question, { signal, onCtrlC: () => interrupt('SIGINT') });
    },
    onInterrupt(handler) {
      handlers.push(handler);
      return () => {
        const at = handlers.lastIndexOf(handler);
        if (at >= 0) handlers.splice(at, 1);
      };
    },
    exit,
  };
}

/** Whether two file descriptors are the same open file, pipe or terminal (same device and inode). */
function sameFile(a: number, b: number): boolean {
  try {
    const [x, y] = [fstatSync(a), fstatSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** Color on a terminal, unless --no-color or NO_COLOR says otherwise. */
export function wantsColor(io: CliIo, noColorFlag: boolean): boolean {
  return io.stdoutIsTty && !noColorFlag && !io.env['NO_COLOR'];
}

/**
 * One question on `input` (a terminal), its prompt on `output`. On a terminal readline reads Ctrl-C as a key,
 * and no SIGINT reaches the process: it is passed to `onCtrlC`. Ctrl-D (readline's "Aborted with Ctrl+D")
 * ends the question unanswered: the answer is '' (no 'yes'), not an error. Rejects once `signal` aborts.
 */
export async function askOn(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, question: string, options: { signal?: AbortSignal | undefined; onCtrlC: () => void; terminal?: boolean }): Promise<string> {
  const readline = createInterface({ input, output, ...(options.terminal !== undefined ? { terminal: options.terminal } : {}) });
  readline.on('SIGINT', options.onCtrlC);
  try {
    return await readline.question(question, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    if (!options.signal?.aborted && (error as Error).name === 'AbortError') return '';
    throw error;
  } finally {
    readline.close();
  }
}
