/**
 * CPU time, to tell where a step's time goes on the bench's shared cores: a command's own (user + system, from
 * GNU time) and the test API server's (kube-apiserver and etcd, from /proc/<pid>/stat while the command ran).
 * Linux only; elsewhere the figures are undefined and the bench prints n/a.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** GNU time's format for `measure`: peak RSS (KiB), user and system CPU seconds, on one line. */
export const GNU_TIME_FORMAT = '%M %U %S';

export interface TimeFigures {
  peakRssKiB: number;
  /** User + system CPU, in ms. */
  cpuMs: number;
}

/**
 * The figures of GNU time's `-o` file written with GNU_TIME_FORMAT: its last line (GNU time writes "Command
 * exited with non-zero status N" before it when the command fails). undefined when that line is not three numbers.
 */
export function parseTimeFigures(text: string): TimeFigures | undefined {
  const fields = text.trim().split('\n').pop()?.trim().split(/\s+/).map(Number) ?? [];
  const [peakRssKiB, user, system] = fields;
  if (fields.length !== 3 || fields.some((n) => !Number.isFinite(n)) || peakRssKiB! <= 0) return undefined;
  return { peakRssKiB: peakRssKiB!, cpuMs: Math.round((user! + system!) * 1000) };
}

/**
 * A process's user + system CPU in clock ticks, from its /proc/<pid>/stat text: fields 14 and 15 (utime,
 * stime; proc(5)), counted after the command name's closing parenthesis, as the name may hold spaces and
 * parentheses. undefined when the text is not such a line.
 */
export function statCpuTicks(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime and stime are fields 14 and 15.
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  return stat.includes(')') && Number.isInteger(utime) && Number.isInteger(stime) ? utime + stime : undefined;
}

/** The test API server's processes, by their pid files in scripts/kube-test-cluster's run folder (not its watchdog's). */
const SERVER_PID_FILES = ['kube-apiserver.pid', 'etcd.pid'];

/**
 * The CPU the test API server's processes (kube-apiserver, etcd: the pid files of scripts/kube-test-cluster,
 * `<run dir>/pids/<name>.pid`, beside the kubeconfig) have used. `read()` gives their total in ms so far, or
 * undefined once any of them cannot be read (not Linux, a process gone, no pid files).
 */
export class ServerCpu {
  private constructor(
    private readonly pids: number[],
    private readonly msPerTick: number,
  ) {}

  static async of(kubeconfig: string): Promise<ServerCpu> {
    const dir = join(dirname(kubeconfig), 'pids');
    const pids = await Promise.all(SERVER_PID_FILES.map(async (f) => Number((await readFile(join(dir, f), 'utf8').catch(() => '')).trim() || NaN)));
    // A figure without one of them would be a wrong one: none instead.
    return new ServerCpu(pids.every(Number.isInteger) ? pids : [], 1000 / ticksPerSecond());
  }

  async read(): Promise<number | undefined> {
    if (this.pids.length === 0) return undefined;
    let ticks = 0;
    for (const pid of this.pids) {
      const counted = statCpuTicks(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));
      if (counted === undefined) return undefined;
      ticks += counted;
    }
    return Math.round(ticks * this.msPerTick);
  }
}

/** The kernel's clock ticks per second (`getconf CLK_TCK`; 100 on Linux when getconf is missing). */
function ticksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}
