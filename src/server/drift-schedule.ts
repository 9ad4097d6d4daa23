import { failureLine } from '../queue/delivery-log.ts';
import { logEvent } from '../redact/redacting-log.ts';

/** How often the Node server runs the drift check (minutes), as the Lambda deployment's `driftSchedule` does. */
export const DEFAULT_DRIFT_INTERVAL_MINUTES = 60;
/** The first run comes this long after start-up (ms): claims of pull requests closed while the server was down go then. */
export const FIRST_RUN_DELAY_MS = 60_000;
/** A run ends this long before the next is due (ms), so runs never overlap. */
const RUN_RESERVE_MS = 10_000;

/**
 * DRIFT_INTERVAL_MINUTES: whole minutes from 5 to 1440, or 0 to run no drift check (another deployment's
 * schedule does it). Unset: DEFAULT_DRIFT_INTERVAL_MINUTES. Throws a message naming the setting otherwise.
 */
export function driftIntervalMinutes(env: Record<string, string | undefined>): number {
  const text = env['DRIFT_INTERVAL_MINUTES']?.trim();
  if (!text) return DEFAULT_DRIFT_INTERVAL_MINUTES;
  const minutes = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (minutes === 0 || (minutes >= 5 && minutes <= 1440)) return minutes;
  return fail(`DRIFT_INTERVAL_MINUTES: "${text.slice(0, 20)}" is not a number of minutes from 5 to 1440 (or 0 for no drift check): fix it in .env or unset it (default ${DEFAULT_DRIFT_INTERVAL_MINUTES})`);
}

function fail(message: string): never {
  throw new Error(message);
}

export interface ScheduleTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const REAL_TIMERS: ScheduleTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};

/**
 * The Node server's drift timer: `run` (drift-run.ts checkEveryRepository, given the epoch ms it must end by)
 * FIRST_RUN_DELAY_MS after start(), then every `intervalMinutes` from the start of the one before, never two
 * at once: a run that takes longer delays the next. A run that throws is logged and the schedule goes on.
 */
export class DriftSchedule {
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly run: (runEnd: number) => Promise<{ checked: number; failed: number }>,
    private readonly intervalMinutes: number,
    private readonly timers: ScheduleTimers = REAL_TIMERS,
  ) {}

  start(): void {
    if (this.intervalMinutes > 0) this.schedule(FIRST_RUN_DELAY_MS);
  }

  /**
   * No further run starts. One running is not waited for: each of its steps is one idempotent request (an
   * issue edited, a claim released), and the next run, after a restart, does what it left.
   */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
  }

  /** The run in progress, if any (for tests). */
  get current(): Promise<void> | undefined {
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.running = this.once().finally(() => (this.running = undefined));
    }, delayMs);
  }

  private async once(): Promise<void> {
    const intervalMs = this.intervalMinutes * 60_000;
    const started = this.timers.now();
    try {
      const result = await this.run(started + intervalMs - RUN_RESERVE_MS);
      logEvent('info', 'drift run finished', { ...result, ms: this.timers.now() - started });
    } catch (error) {
      logEvent('error', 'drift run failed', { error: failureLine(error) });
    }
    this.schedule(Math.max(0, started + intervalMs - this.timers.now()));
  }
}
