import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_DRIFT_INTERVAL_MINUTES, DriftSchedule, driftIntervalMinutes, FIRST_RUN_DELAY_MS, type ScheduleTimers } from '../../src/server/drift-schedule.ts';

/** Timers on a clock the test moves: `advance` fires what falls due, in order, and lets each run's promise settle. */
function fakeClock(): ScheduleTimers & { advance(ms: number): Promise<void>; pending(): number } {
  let now = 0;
  let next = 1;
  const due = new Map<number, { at: number; run: () => void }>();
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    setTimeout: (run, ms) => (due.set(next, { at: now + ms, run }), next++),
    clearTimeout: (handle) => void due.delete(handle as number),
    pending: () => due.size,
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        const [id, timer] = [...due.entries()].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
        if (!timer || timer.at > end) break;
        due.delete(id!);
        now = timer.at;
        timer.run();
        await settle();
      }
      now = end;
      await settle();
    },
  };
}

test('the server runs the drift check a minute after start, then every interval from the start of the last, with each run told when to end', async () => {
  const clock = fakeClock();
  const runs: { at: number; runEnd: number }[] = [];
  const schedule = new DriftSchedule(async (runEnd) => (runs.push({ at: clock.now(), runEnd }), { checked: 1, failed: 0 }), 60, clock);
  schedule.start();
  await clock.advance(FIRST_RUN_DELAY_MS - 1);
  assert.equal(runs.length, 0);
  await clock.advance(1);
  await clock.advance(2 * 60 * 60_000);
  assert.deepEqual(runs.map((r) => r.at), [FIRST_RUN_DELAY_MS, FIRST_RUN_DELAY_MS + 3_600_000, FIRST_RUN_DELAY_MS + 7_200_000]);
  assert.deepEqual(runs.map((r) => r.runEnd - r.at), [3_590_000, 3_590_000, 3_590_000], 'each run ends 10 s before the next is due');
  schedule.stop();
  await clock.advance(10 * 60 * 60_000);
  assert.equal(runs.length, 3, 'stopped: no further run');
  assert.equal(clock.pending(), 0);
});

test('runs never overlap: one that takes longer than the interval delays the next; one that throws is logged and the schedule goes on', async () => {
  const clock = fakeClock();
  let finish: (() => void) | undefined;
  const starts: number[] = [];
  let calls = 0;
  const schedule = new DriftSchedule(
    (): Promise<{ checked: number; failed: number }> => {
      starts.push(clock.now());
      calls++;
      if (calls === 1) return new Promise((resolve) => (finish = () => resolve({ checked: 1, failed: 0 })));
      if (calls === 2) return Promise.reject(new Error('GitHub is down'));
      return Promise.resolve({ checked: 1, failed: 0 });
    },
    5,
    clock,
  );
  schedule.start();
  await clock.advance(FIRST_RUN_DELAY_MS + 12 * 60_000); // the first run is still going after two intervals
  assert.deepEqual(starts, [FIRST_RUN_DELAY_MS]);
  finish!();
  await schedule.current;
  await clock.advance(0);
  await clock.advance(1);
  assert.equal(starts.length, 2, 'the next starts at once when the last overran');
  await clock.advance(5 * 60_000);
  assert.equal(starts.length, 3, 'a run that threw does not stop the schedule');
  schedule.stop();
});

test('DRIFT_INTERVAL_MINUTES: unset is an hour, 0 runs none, and anything but 5 to 1440 whole minutes is refused naming the setting', () => {
  assert.equal(driftIntervalMinutes({}), DEFAULT_DRIFT_INTERVAL_MINUTES);
  assert.equal(driftIntervalMinutes({ DRIFT_INTERVAL_MINUTES: ' 15 ' }), 15);
  assert.equal(driftIntervalMinutes({ DRIFT_INTERVAL_MINUTES: '0' }), 0);
  for (const bad of ['1', '2000', '1.5', 'hourly', '-5']) assert.throws(() => driftIntervalMinutes({ DRIFT_INTERVAL_MINUTES: bad }), /^Error: DRIFT_INTERVAL_MINUTES: ".*" is not a number of minutes from 5 to 1440 \(or 0 for no drift check\)/);
  const clock = fakeClock();
  const off = new DriftSchedule(() => Promise.reject(new Error('never')), 0, clock);
  off.start();
  assert.equal(clock.pending(), 0, '0: no timer at all');
});
