/**
 * Work started ahead of the step that needs its result: its requests are answered by the server while this
 * (single-threaded) process computes something else, instead of one waiting for the other. Its failure is
 * held until someone asks for the result: never an unhandled rejection, even when the work done meanwhile
 * throws first and the result is never asked for.
 */
export class Ahead<T> {
  private readonly outcome: Promise<T>;

  private constructor(outcome: Promise<T>) {
    this.outcome = outcome;
    outcome.catch(() => {});
  }

  /** Starts `run` now; a synchronous throw becomes the failure, like a rejection. */
  static start<T>(run: () => Promise<T>): Ahead<T> {
    let outcome: Promise<T>;
    try {
      outcome = run();
    } catch (error) {
      outcome = Promise.reject(error);
    }
    return new Ahead(outcome);
  }

  /** Already done: lets a caller hand over a value where started work is expected. */
  static of<T>(value: T): Ahead<T> {
    return new Ahead(Promise.resolve(value));
  }

  /** The result, or the work's error. */
  result(): Promise<T> {
    return this.outcome;
  }

  /** Resolves once the work has finished, whatever its outcome; never rejects. */
  settled(): Promise<void> {
    return this.outcome.then(
      () => undefined,
      () => undefined,
    );
  }
}

/**
 * Runs `work` while `ahead` is in flight. When `work` throws, its error is the one raised, once every
 * `ahead` has finished (an early read's failure, then, is not a second error; and nothing started here is
 * still running, under a Lease about to be released, when the caller hears of the failure). `ahead` is
 * looked at when `work` fails: what `work` starts and adds to it is waited for too.
 */
export async function meanwhile<T>(ahead: readonly Ahead<unknown>[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await Promise.all(ahead.map((a) => a.settled()));
    throw error;
  }
}
