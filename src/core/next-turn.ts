/** Resolves at the event loop's next turn: answers that arrived meanwhile are handled and the next requests sent. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Long CPU work cut into slices of `sliceMs`, with `pause()` between them, so that what arrives meanwhile (a
 * read's answers, whose next requests then go out) is not held up by it: `if (slices.due) await slices.next();`
 * between steps of the work. A step is never cut; a loop awaits only when a slice is over.
 */
export class TimeSlices {
  private since = performance.now();

  constructor(
    private readonly pause: () => Promise<void>,
    private readonly sliceMs: number,
  ) {}

  /** Whether `sliceMs` have passed since the work started or last paused. */
  get due(): boolean {
    return performance.now() - this.since >= this.sliceMs;
  }

  /** Pauses, then starts the next slice. */
  async next(): Promise<void> {
    await this.pause();
    this.since = performance.now();
  }
}
