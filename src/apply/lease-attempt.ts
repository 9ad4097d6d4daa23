import type { KubeApi } from '../kube/kube-client.ts';
import { KubeApiError } from '../kube/kube-errors.ts';
import { SINGLE_ATTEMPT } from '../kube/retry.ts';
import { createLease, leaseClaim, type ClaimOptions, type LeaseClaim } from './lease-claim.ts';
import { tokenOf } from './lease-object.ts';
import { deleteOwnLease, LeaseRenewal, type HeldLock } from './lease-renewal.ts';

/**
 * How a Lease's first create ended: `held` on 201 (renewed from then on); `exists` on 409 AlreadyExists
 * (someone holds it, or an expired one is left); `failed` on anything else, which may have gone through
 * unanswered (a 5xx, a timeout, no connection) or not (a 401, a 403).
 */
export type FirstCreate = { held: HeldLock } | { exists: true } | { failed: unknown };

/**
 * acquireLock's first create of an environment's Lease (src/apply/lock.ts), sent ahead by a caller that has
 * other work to do before it gets to the lock (the CLI: loading the apply workflow). One POST, one try, its
 * error held (never raised here): handed to acquireLock (`sentAhead`), a 201 is the lock taken, renewed as
 * acquireLock's own create would be; a 409 is that create's 409; anything else as if it had not been sent (the
 * create is sent again with the same token, so one that went through unanswered is recognised as ours).
 * Not handed over, it is let go with abandon().
 */
export class LeaseAttempt {
  private constructor(
    readonly claim: LeaseClaim,
    readonly outcome: Promise<FirstCreate>,
  ) {}

  /** Sends the create now (`client`: the one the Lease is renewed with, the command's deadline on it). */
  static start(client: KubeApi, namespace: string, environment: string, options: ClaimOptions): LeaseAttempt {
    const claim = leaseClaim(namespace, environment, options);
    const requestedAt = claim.now().getTime();
    const outcome = createLease(client, claim, SINGLE_ATTEMPT).then(
      (lease): FirstCreate => ({ held: LeaseRenewal.start(client, { ...claim, lease, renewedAt: requestedAt }) }),
      (error: unknown): FirstCreate => (error instanceof KubeApiError && error.status === 409 ? { exists: true } : { failed: error }),
    );
    return new LeaseAttempt(claim, outcome);
  }

  /** Whether acquireLock with these arguments would ask for this very Lease: same environment, namespace, holder, commit and duration. */
  isFor(namespace: string, environment: string, options: ClaimOptions): boolean {
    const wanted = leaseClaim(namespace, environment, options);
    const { claim } = this;
    return claim.path === wanted.path && claim.holder === wanted.holder && claim.commit === wanted.commit && claim.leaseSeconds === wanted.leaseSeconds;
  }

  /** The lock, once the create is answered: undefined unless it was 201. */
  async held(): Promise<HeldLock | undefined> {
    const first = await this.outcome;
    return 'held' in first ? first.held : undefined;
  }

  /**
   * Lets go of the Lease unused, once the create is answered: deleted (with `client`) if it was taken, or if the
   * create may have gone through unanswered and the Lease carries our token. Never throws: returns a warning
   * when the Lease could not be released (it expires by itself after its duration).
   */
  async abandon(client: KubeApi): Promise<string | undefined> {
    const first = await this.outcome;
    try {
      if ('held' in first) await first.held.release(client);
      else if ('failed' in first && mayHaveGoneThrough(first.failed)) {
        const lease = await client.get(this.claim.path, `read Lease ${this.claim.namespace}/${this.claim.name}`);
        if (lease && tokenOf(lease) === this.claim.token) await deleteOwnLease(client, this.claim, lease);
      }
      return undefined;
    } catch (error) {
      return `the apply lock ${this.claim.namespace}/${this.claim.name} could not be released (${(error as Error).message}); it expires by itself within ${this.claim.leaseSeconds} s`;
    }
  }
}

/** An API error below 500 is the server refusing the request (nothing written); anything else may have been written. */
function mayHaveGoneThrough(error: unknown): boolean {
  return !(error instanceof KubeApiError && error.status < 500);
}
