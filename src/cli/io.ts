import type { JsonValue } from '../core/json.ts';
import { createInterface } from 'node:readline/promises';
import { BatchedWrites } from './batched-writes.ts';

/** The CLI's view of its process, so tests can run it in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
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

/** Color on a terminal, unless --no-color or NO_COLOR says otherwise. */
export function wantsColor(io: CliIo, noColorFlag: boolean): boolean {
  return io.stdoutIsTty && !noColorFlag && !io.env['NO_COLOR'];
}
