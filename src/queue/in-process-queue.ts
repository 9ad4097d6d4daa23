import { setTimeout as sleep } from 'node:timers/promises';
import type { QueuedEvent } from './queued-event.ts';

export interface InProcessQueueOptions {
  /** Tries before a delivery is given up (and logged). */
  maxAttempts?: number;
  retryDelayMs?: (attempt: number) => number;
  log?(level: 'info' | 'error', message: string): void;
}

/**
 * The self-hosted server's stand-in for SQS FIFO: deliveries of one repository are handled in order,
 * one at a time, different repositories concurrently; a delivery id seen recently is dropped; a failed
 * delivery is tried again, and given up after maxAttempts with a log line.
 */
export class InProcessQueue {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly recent = new Set<string>();
  private readonly maxAttempts: number;

  constructor(
    private readonly handle: (event: QueuedEvent) => Promise<void>,
    private readonly options: InProcessQueueOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /** Queues a delivery; false when it is a duplicate. */
  push(group: string, event: QueuedEvent): boolean {
    if (this.recent.has(event.delivery)) return false;
    this.recent.add(event.delivery);
    if (this.recent.size > 10_000) this.recent.delete(this.recent.values().next().value!);
    const previous = this.chains.get(group) ?? Promise.resolve();
    const next = previous.then(() => this.run(event));
    this.chains.set(group, next);
    void next.finally(() => {
      if (this.chains.get(group) === next) this.chains.delete(group);
    });
    return true;
  }

  /** Resolves when everything queued so far is done (for shutdown and tests). */
  async drained(): Promise<void> {
    while (this.chains.size > 0) await Promise.all(this.chains.values());
  }

  private async run(event: QueuedEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.handle(event);
        return;
      } catch (error) {
        const last = attempt >= this.maxAttempts;
        this.options.log?.('error', `delivery ${event.type}.${event.action} ${event.delivery} failed (attempt ${attempt} of ${this.maxAttempts})${last ? ': giving up' : ''}: ${(error as Error).message}`);
        if (last) return;
        await sleep(this.options.retryDelayMs?.(attempt) ?? Math.min(1000 * 2 ** attempt, 60_000));
      }
    }
  }
}
