import { setMaxListeners } from 'node:events';

/**
 * Work started ahead of the step that needs its result: its requests are answered by the server while this
 * (single-threaded) process computes something else, instead of one waiting for the other. Its failure is
 * held until someone asks for the result: never an unhandled rejection, even when the work done meanwhile
 * throws first and the result is never asked for. Work that takes the signal it is given can be stopped (stop()).
 */
export class Ahead<T> {
  private readonly outcome: Promise<T>;

  private constructor(
    outcome: Promise<T>,
    private readonly controller?: AbortController,
  ) {
    this.outcome = outcome;
    outcome.catch(() => {});
  }

  /**
   * Starts `run` now; a synchronous throw becomes the failure, like a rejection. `signal` is aborted by stop():
   * work that passes it on (a KubeClient's requests, LiveStateReader.read) ends early then, with its reason.
   */
  static start<T>(run: (signal: AbortSignal) => Promise<T>): Ahead<T> {
    const controller = new AbortController();
    // One listener per request in flight: a read's dozen requests are no leak to warn of.
    setMaxListeners(0, controller.signal);
    let outcome: Promise<T>;
    try {
      outcome = run(controller.signal);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    return new Ahead(outcome, controller);
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

  /**
   * The work is no longer wanted: aborts its signal, then resolves once it has finished (never rejects). Work
   * that ignores the signal runs to its end; its result, or the abort's error, is kept for result() as any other.
   */
  stop(): Promise<void> {
    this.controller?.abort();
    return this.settled();
  }
}

/**
 * Runs `work` while `ahead` is in flight. When `work` throws, every `ahead` is stopped (Ahead.stop: a live
 * read started ahead sends no further request and waits for no retry) and its error is the one raised once
 * they have finished (an early read's failure, or its abort, is not a second error; and nothing started here
 * is still running, under a Lease about to be released or in a Lambda about to return, when the caller hears
 * of the failure). `ahead` is looked at when `work` fails: what `work` starts and adds to it is stopped too.
 */
export async function meanwhile<T>(ahead: readonly Ahead<unknown>[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await Promise.all(ahead.map((a) => a.stop()));
    throw error;
  }
}
