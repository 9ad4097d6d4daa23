import http from 'node:http';
import https from 'node:https';
import pLimit, { type LimitFunction } from 'p-limit';

/** A kept-alive connection idle this long (ms) is closed: the server may have dropped it meanwhile. */
const IDLE_CONNECTION_MS = 30_000;

/**
 * The connections of one KubeClient and the copies it makes (withDeadline): one keep-alive agent that
 * opens at most `concurrency` connections per TLS identity and reuses them, so a run of a thousand
 * requests costs a handful of TLS handshakes instead of a thousand. The TLS material (CA, client
 * certificate) is passed with each request, not fixed in the agent: Node's agent keeps a separate set of
 * connections per identity, so a client certificate an exec plugin renews gets new connections of its own.
 * At most `concurrency` attempts are in flight (run); the others wait their turn in order. Also holds the
 * whole client back while the server asks it to wait (429 with Retry-After).
 */
export class ConnectionPool {
  private current: http.Agent | undefined;
  private resumeAt = 0;
  private readonly limit: LimitFunction;

  /** `secure`: the server's URL is https (else http, as test servers may be). */
  constructor(
    readonly concurrency: number,
    private readonly secure: boolean,
  ) {
    this.limit = pLimit(concurrency);
  }

  /** Runs one attempt when fewer than `concurrency` are in flight; a waiting attempt's clock has not started. */
  run<T>(attempt: () => Promise<T>): Promise<T> {
    return this.limit(attempt);
  }

  /** The keep-alive agent, made on first use (again after close). */
  agent(): http.Agent {
    const options = { keepAlive: true, maxSockets: this.concurrency, timeout: IDLE_CONNECTION_MS };
    this.current ??= this.secure ? new https.Agent(options) : new http.Agent(options);
    return this.current;
  }

  /** No request of this pool starts before `until` (epoch ms): the server throttles (a 429's Retry-After). */
  holdUntil(until: number): void {
    this.resumeAt = Math.max(this.resumeAt, until);
  }

  /** How long (ms) a request must still wait before it may start; 0 when it may start now. */
  held(): number {
    return Math.max(0, this.resumeAt - Date.now());
  }

  /** Closes every connection, idle or not; a later request opens new ones. */
  close(): void {
    this.current?.destroy();
    this.current = undefined;
  }
}
