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
  /** Asks a yes/no question on the terminal. */
  ask(question: string): Promise<string>;
  /** Remembers credentials (Redactor.learn): stderr and questions hide them from then on (runCli sets it). */
  learnSecrets?(kind: string, value: JsonValue): void;
}

/** The process's streams; stderr's lines are batched (BatchedWrites, at most every 50 ms), and written before stdout's and at exit. */
export function processIo(): CliIo {
  const stderr = new BatchedWrites((text) => process.stderr.write(text));
  process.once('exit', () => stderr.flush());
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
    async ask(question) {
      stderr.flush();
      const readline = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await readline.question(question);
      } finally {
        readline.close();
      }
    },
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
