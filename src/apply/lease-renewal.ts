import { isObject, type JsonObject } from '../core/json.ts';
import type { KubeApi, KubeRequest } from '../kube/kube-client.ts';
import { KubeApiError } from '../kube/kube-errors.ts';
import { SINGLE_ATTEMPT } from '../kube/retry.ts';
import { holderOf, microTime, resourceVersionOf, tokenOf } from './lease-object.ts';

/** A lost Lease's release is one try of at most this long (ms): the server may be down, and the Lease expires by itself. */
const LOST_RELEASE_TIMEOUT_MS = 5_000;

export interface HeldLock {
  /**
   * Throws LeaseLostError unless the Lease is surely still ours: taken by someone else, or not renewed
   * within two thirds of its duration (someone may take it over once it expires). Call before every write.
   * Returns how many ms the write may take: it must land before the Lease could expire.
   */
  fence(): number;
  /**
   * Renews the Lease now and throws LeaseLostError unless it is still ours: an apply calls it after its last write,
   * before it reports success, so a Lease deleted or taken over since the last check is not missed.
   */
  confirm(): Promise<void>;
  /** Stops renewing and deletes the Lease (with `client`, default the one that took it) if it is still ours. Throws only on an API error other than 404/409. */
  release(client?: KubeApi): Promise<void>;
}

/** The Lease is no longer surely ours: nothing more may be written under it. */
export class LeaseLostError extends Error {
  constructor(lease: string, why: string) {
    super(`lost the apply lock (Lease ${lease}): ${why}; stopped writing`);
    this.name = 'LeaseLostError';
  }
}

interface RenewalSetup {
  path: string;
  name: string;
  token: string;
  leaseSeconds: number;
  /** The Lease as our create or takeover left it. */
  lease: JsonObject;
  /** When the request that took it was sent (epoch ms): the Lease counts from no later than that. */
  renewedAt: number;
  now: () => Date;
}

/** How often a held Lease is read to see that it is still there and ours (ms): a Lease deleted by hand is noticed within about this. */
export const LEASE_CHECK_INTERVAL_MS = 1_000;

/**
 * Keeps a held Lease: renews it every sixth of its duration with an optimistic-concurrency PUT (one try,
 * a short timeout), and fences writes. A write may start only within two thirds of the duration after
 * the last renewal the server confirmed, so it lands before anyone could take the Lease over (an expired
 * Lease is fair game: src/apply/lock.ts). Between renewals the Lease is read every LEASE_CHECK_INTERVAL_MS:
 * expiry protects against another apply, not against someone deleting the Lease (`kubectl delete lease`),
 * after which another apply may take it at once; that is noticed within about a second, and the apply's
 * confirm() before it reports success catches the rest. Once the fence has refused, the Lease stays lost.
 */
export class LeaseRenewal implements HeldLock {
  private lease: JsonObject;
  private renewedAt: number;
  private lost: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private checking: Promise<void> | undefined;
  private stopped = false;

  private constructor(
    private readonly client: KubeApi,
    private readonly setup: RenewalSetup,
  ) {
    this.lease = setup.lease;
    this.renewedAt = setup.renewedAt;
  }

  static start(client: KubeApi, setup: RenewalSetup): LeaseRenewal {
    const renewal = new LeaseRenewal(client, setup);
    renewal.schedule();
    renewal.scheduleCheck();
    return renewal;
  }

  fence(): number {
    if (this.lost) throw new LeaseLostError(this.setup.name, this.lost);
    const validMs = (this.setup.leaseSeconds * 1000 * 2) / 3;
    const age = this.setup.now().getTime() - this.renewedAt;
    if (age > validMs) {
      this.lost = `not renewed for ${Math.round(age / 1000)} s of its ${this.setup.leaseSeconds} s (no renewal got through: the API server did not answer, or this process was paused), so another apply may have taken it`;
      throw new LeaseLostError(this.setup.name, this.lost);
    }
    return this.setup.leaseSeconds * 1000 - age;
  }

  async confirm(): Promise<void> {
    await this.checking;
    await this.inFlight;
    if (!this.lost) await this.renew();
    this.fence();
  }

  async release(client: KubeApi = this.client): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.checkTimer);
    await this.checking;
    await this.inFlight;
    // Lost or not, only a Lease still ours is deleted (deleteOwnLease: on our last version, or carrying our token):
    // one lost to a pause or an unanswered renewal is ours still, and left it would hold the next apply for its term.
    // Lost, it is tried once, briefly: the API server may be what stopped answering, and the Lease expires anyway.
    await deleteOwnLease(client, this.setup, this.lease, this.lost ? { retry: SINGLE_ATTEMPT, timeoutMs: LOST_RELEASE_TIMEOUT_MS } : {});
  }

  private schedule(): void {
    if (this.stopped || this.lost) return;
    const everyMs = (this.setup.leaseSeconds * 1000) / 6;
    this.timer = setTimeout(() => {
      this.inFlight = this.renew().finally(() => {
        this.inFlight = undefined;
        this.schedule();
      });
    }, everyMs);
    this.timer.unref();
  }

  private scheduleCheck(): void {
    if (this.stopped || this.lost) return;
    this.checkTimer = setTimeout(() => {
      this.checking = (this.inFlight ? Promise.resolve() : this.check()).finally(() => {
        this.checking = undefined;
        this.scheduleCheck();
      });
    }, LEASE_CHECK_INTERVAL_MS);
    this.checkTimer.unref();
  }

  /** Reads the Lease: gone, or carrying another token, it is lost. An unanswered read proves nothing (the fence counts the age). */
  private async check(): Promise<void> {
    let current: JsonObject | undefined;
    try {
      current = await this.client.request({ method: 'GET', path: this.setup.path, what: `read Lease ${this.setup.name}`, timeoutMs: LEASE_CHECK_INTERVAL_MS * 5, retry: SINGLE_ATTEMPT });
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 404)) return; // unanswered: the fence counts the age
      current = undefined;
    }
    if (this.inFlight) return; // a renewal in flight decides
    this.lost ??= this.lostTo(current);
  }

  /** Why the Lease as read now (`current`, undefined when gone) is no longer ours, or undefined when it still carries our token. */
  private lostTo(current: JsonObject | undefined): string | undefined {
    if (current === undefined) return 'deleted by someone else';
    return tokenOf(current) === this.setup.token ? undefined : `taken over by ${holderOf(current) || 'someone else'}`;
  }

  private async renew(): Promise<void> {
    const sentAt = this.setup.now().getTime();
    const spec = isObject(this.lease['spec']) ? this.lease['spec'] : {};
    const body: JsonObject = { ...this.lease, spec: { ...spec, renewTime: microTime(new Date(sentAt)) } };
    try {
      this.lease = await this.client.request({
        method: 'PUT',
        path: this.setup.path,
        body,
        what: `renew Lease ${this.setup.name}`,
        timeoutMs: Math.min(10_000, (this.setup.leaseSeconds * 1000) / 6),
        retry: SINGLE_ATTEMPT,
      });
      if (!this.lost) this.renewedAt = sentAt;
    } catch (error) {
      if (!(error instanceof KubeApiError && (error.status === 409 || error.status === 404))) return; // unanswered: try again next time; the fence counts the age
      const current = await this.client.get(this.setup.path, `read Lease ${this.setup.name}`).catch(() => undefined);
      const lost = this.lostTo(current);
      if (current && lost === undefined) {
        this.lease = current; // our renewal went through unanswered; the next one uses the new version
        return;
      }
      this.lost ??= lost;
    }
  }
}

/**
 * Deletes a Lease of ours (`lease`: as our last write left it), on that version: a 409 means it changed since,
 * so it is read again and deleted if it still carries our token (a renewal whose answer was lost), else left
 * (someone else's now). A 404 is done. Throws only on an API error other than 404/409.
 */
export async function deleteOwnLease(client: KubeApi, setup: Pick<RenewalSetup, 'path' | 'name' | 'token'>, lease: JsonObject, attempt: Pick<KubeRequest, 'retry' | 'timeoutMs'> = {}): Promise<void> {
  let current = lease;
  for (let tries = 0; tries < 3; tries++) {
    const resourceVersion = resourceVersionOf(current);
    try {
      await client.request({
        method: 'DELETE',
        path: setup.path,
        body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: resourceVersion ? { resourceVersion } : undefined },
        what: `release Lease ${setup.name}`,
        ...attempt,
      });
      return;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return;
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      const read = await client.get(setup.path, `read Lease ${setup.name}`);
      if (!read || tokenOf(read) !== setup.token) return;
      current = read;
    }
  }
}
