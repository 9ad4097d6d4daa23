import { createInterface } from 'node:readline/promises';

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
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    env: process.env,
    stdinIsTty: process.stdin.isTTY === true,
    async ask(question) {
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
