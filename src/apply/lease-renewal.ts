import { isObject, type JsonObject } from '../core/json.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import { KubeApiError } from '../kube/kube-errors.ts';
import { holderOf, microTime, resourceVersionOf, tokenOf } from './lease-object.ts';

export interface HeldLock {
  /**
   * Throws LeaseLostError unless the Lease is surely still ours: taken by someone else, or not renewed
   * within two thirds of its duration (someone may take it over once it expires). Call before every write.
   * Returns how many ms the write may take: it must land before the Lease could expire.
   */
  fence(): number;
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

/**
 * Keeps a held Lease: renews it every sixth of its duration with an optimistic-concurrency PUT (one try,
 * a short timeout), and fences writes. A write may start only within two thirds of the duration after
 * the last renewal the server confirmed, so it lands before anyone could take the Lease over (an expired
 * Lease is fair game: src/apply/lock.ts). Once the fence has refused, the Lease stays lost.
 */
export class LeaseRenewal implements HeldLock {
  private lease: JsonObject;
  private renewedAt: number;
  private lost: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
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
    return renewal;
  }

  fence(): number {
    if (this.lost) throw new LeaseLostError(this.setup.name, this.lost);
    const validMs = (this.setup.leaseSeconds * 1000 * 2) / 3;
    const age = this.setup.now().getTime() - this.renewedAt;
    if (age > validMs) {
      this.lost = `not renewed for ${Math.round(age / 1000)} s of its ${this.setup.leaseSeconds} s (the API server did not answer), so another apply may have taken it`;
      throw new LeaseLostError(this.setup.name, this.lost);
    }
    return this.setup.leaseSeconds * 1000 - age;
  }

  async release(client: KubeApi = this.client): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
    if (this.lost) return; // someone else's now, or may be: leave it, it expires by itself
    await deleteOwnLease(client, this.setup, this.lease);
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
        retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      });
      if (!this.lost) this.renewedAt = sentAt;
    } catch (error) {
      if (!(error instanceof KubeApiError && (error.status === 409 || error.status === 404))) return; // unanswered: try again next time; the fence counts the age
      const current = await this.client.get(this.setup.path, `read Lease ${this.setup.name}`).catch(() => undefined);
      if (current && tokenOf(current) === this.setup.token) {
        this.lease = current; // our renewal went through unanswered; the next one uses the new version
        return;
      }
      this.lost ??= current ? `taken over by ${holderOf(current) || 'someone else'}` : 'deleted by someone else';
    }
  }
}

/**
 * Deletes a Lease of ours (`lease`: as our last write left it), on that version: a 409 means it changed since,
 * so it is read again and deleted if it still carries our token (a renewal whose answer was lost), else left
 * (someone else's now). A 404 is done. Throws only on an API error other than 404/409.
 */
export async function deleteOwnLease(client: KubeApi, setup: Pick<RenewalSetup, 'path' | 'name' | 'token'>, lease: JsonObject): Promise<void> {
  let current = lease;
  for (let tries = 0; tries < 3; tries++) {
    const resourceVersion = resourceVersionOf(current);
    try {
      await client.request({
        method: 'DELETE',
        path: setup.path,
        body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: resourceVersion ? { resourceVersion } : undefined },
        what: `release Lease ${setup.name}`,
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
