import { setTimeout as sleep } from 'node:timers/promises';
import { failureText, logDelivery, type DeliveryLine } from './delivery-log.ts';
import type { QueuedEvent } from './queued-event.ts';
import { retryBackoffMs } from './retry-backoff.ts';

export interface InProcessQueueOptions {
  /** Tries before a delivery is given up (and logged). */
  maxAttempts?: number;
  retryDelayMs?: (attempt: number) => number;
  /** One line per attempt: its outcome, or its failure and whether it is retried (default: logDelivery). */
  log?(line: DeliveryLine): void;
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
    /** Handles one delivery (`final`: no try follows if this one fails); returns what was done, for the log. */
    private readonly handle: (event: QueuedEvent, attempt: { final: boolean }) => Promise<string>,
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
    const log = this.options.log ?? logDelivery;
    const names = { id: event.delivery, event: `${event.type}.${event.action}`, repository: event.repository.fullName };
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      const tried = this.maxAttempts > 1 ? { attempt } : {};
      try {
        const outcome = await this.handle(event, { final: attempt >= this.maxAttempts });
        log({ level: 'info', ...names, outcome, ms: Date.now() - started, ...tried });
        return;
      } catch (error) {
        const last = attempt >= this.maxAttempts;
        const next = last ? `giving up after ${attempt} attempt(s)` : `will be retried (attempt ${attempt} of ${this.maxAttempts})`;
        log({ level: 'error', ...names, outcome: `failed, ${next}: ${failureText(error)}`, ms: Date.now() - started, ...tried });
        if (last) return;
        await sleep(this.options.retryDelayMs?.(attempt) ?? retryBackoffMs(attempt));
      }
    }
  }
}
