/** The longest a line waits before it is written: progress still looks live, at most 20 writes a second. */
export const BATCH_INTERVAL_MS = 50;

/**
 * Text written within BATCH_INTERVAL_MS goes out as one write: an apply says a line per object it writes, and
 * each write to a pipe, a file or a terminal is a system call that also wakes the reader. On a busy 2-core
 * machine (the live bench's prune of 500) a write per event-loop turn, ~150 writes, cost ~55 ms of CPU; a
 * write per 50 ms costs a few. flush() writes what is waiting at once: before anything else is written to the
 * same terminal (so two streams keep their order), before a question, and when the process exits.
 */
export class BatchedWrites {
  private waiting: string[] = [];
  private scheduled = false;

  /**
   * `write`: the real write (synchronous, as process.stdout's and stderr's are for files, pipes and terminals).
   * The default schedule's timer does not keep the process alive: the process's exit flushes (io.ts).
   */
  constructor(
    private readonly write: (text: string) => void,
    private readonly schedule: (flush: () => void) => void = (flush) => void setTimeout(flush, BATCH_INTERVAL_MS).unref(),
  ) {}

  add(text: string): void {
    this.waiting.push(text);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (this.waiting.length === 0) return;
    const text = this.waiting.length === 1 ? this.waiting[0]! : this.waiting.join('');
    this.waiting = [];
    this.write(text);
  }
}
