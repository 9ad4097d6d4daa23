/**
 * Runs a command once and measures it: wall time (ms, from spawn to exit, as a user waits), peak resident
 * memory (KiB, the kernel's maxrss through GNU time's %M) and CPU time (ms, user + system: %U + %S) when
 * /usr/bin/time exists, and the exit code.
 * stdout goes to /dev/null (the command still renders everything it prints); stderr's tail is kept.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { GNU_TIME_FORMAT, parseTimeFigures } from './cpu-time.ts';

const GNU_TIME = '/usr/bin/time';
const STDERR_TAIL = 2_000;

export interface Measured {
  ms: number;
  /** undefined without /usr/bin/time */
  peakRssKiB: number | undefined;
  /** The command's user + system CPU, in ms; undefined without /usr/bin/time. */
  cpuMs: number | undefined;
  code: number;
  stderrTail: string;
}

export async function measure(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; scratch: string; timeoutMs: number }): Promise<Measured> {
  const timed = existsSync(GNU_TIME);
  const timeFile = join(options.scratch, `time-${process.pid}-${Date.now()}`);
  const [file, argv] = timed ? [GNU_TIME, ['-f', GNU_TIME_FORMAT, '-o', timeFile, command, ...args]] : [command, [...args]];
  const started = performance.now();
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    const child = spawn(file, argv, { env: options.env, stdio: ['ignore', 'ignore', 'pipe'], timeout: options.timeoutMs });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL)));
    child.on('error', reject);
    child.on('close', (exit, signal) => resolve({ code: exit ?? (signal ? 128 : 1), stderr }));
  });
  const ms = performance.now() - started;
  let figures: ReturnType<typeof parseTimeFigures>;
  if (timed) {
    figures = parseTimeFigures(await readFile(timeFile, 'utf8').catch(() => ''));
    await rm(timeFile, { force: true });
  }
  return { ms, peakRssKiB: figures?.peakRssKiB, cpuMs: figures?.cpuMs, code, stderrTail: stderr };
}
