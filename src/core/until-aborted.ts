/**
 * `work`'s outcome, or a rejection with `signal.reason` as soon as the signal aborts, whichever comes first.
 * For work a signal cannot reach (the AWS SDK resolves its credentials without looking at the send's
 * abortSignal): the caller stops waiting; the work is left to end by itself, and its later outcome is ignored.
 */
export function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason);
    if (signal.aborted) {
      work.catch(() => {});
      return stop();
    }
    signal.addEventListener('abort', stop, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}
