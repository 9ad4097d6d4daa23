import { setTimeout as sleep } from 'node:timers/promises';
import { isObject, type JsonObject } from '../core/json.ts';
import { DeadlineExceededError, type KubeApi } from '../kube/kube-client.ts';
import { KubeApiError } from '../kube/kube-errors.ts';
import type { LeaseAttempt } from './lease-attempt.ts';
import { createLease, leaseBody, leaseClaim, type ClaimOptions } from './lease-claim.ts';
import { heldBy, lastHolder, resourceVersionOf, tokenOf, type LeaseHolder } from './lease-object.ts';
import { LeaseLostError, LeaseRenewal, type HeldLock } from './lease-renewal.ts';

export { LeaseLostError, type HeldLock };
export { DEFAULT_LEASE_SECONDS } from './lease-claim.ts';

/** When the Lease was last renewed, by its spec (what our own write said), or undefined. */
function renewedAt(lease: JsonObject): Date | undefined {
  const spec = lease['spec'];
  const time = isObject(spec) ? Date.parse(String(spec['renewTime'] ?? '')) : NaN;
  return Number.isNaN(time) ? undefined : new Date(time);
}

export interface LockOptions extends ClaimOptions {
  /** How long to wait for a lock someone else holds before giving up. */
  waitSeconds?: number | undefined;
  pollMs?: number;
  /** Called at each look while someone else holds the Lease. */
  onWait?(holder: LeaseHolder, now: Date): void;
  /** Called when an expired Lease of someone else's was taken over: that apply stopped without releasing it. */
  onTakeover?(holder: LeaseHolder, now: Date): void;
  /** Stops the wait for someone else's Lease (an interrupted apply): acquireLock rejects with its reason. */
  signal?: AbortSignal | undefined;
}

/** A lock held by someone else for longer than we would wait. */
export class LockBusyError extends Error {
  constructor(
    readonly environment: string,
    readonly lease: string,
    readonly holder: string,
    readonly commit: string | undefined,
  ) {
    super(`environment ${environment} is locked by ${holder}${commit ? ` (applying commit ${commit})` : ''}: lease ${lease}; try again when it is done`);
    this.name = 'LockBusyError';
  }
}

/**
 * One apply at a time per environment: a coordination.k8s.io/v1 Lease in the mesh namespace naming its
 * holder and commit, renewed while held as client-go's leader election does (k8s.io/client-go/tools/
 * leaderelection). An expired lease (holder crashed) is taken over; a live one is waited for. Our own
 * create or takeover whose answer was lost (a 500 after the write went through, then 409 on the retry)
 * is recognised by the token annotation, so we never wait on our own Lease.
 * Requests: an absent Lease is taken with one create (POST; the API server creates it only if there is
 * none, 409 AlreadyExists otherwise); an existing one costs that create's 409, then a read and a takeover
 * (PUT conditional on the resourceVersion read) or a wait.
 */
export async function acquireLock(client: KubeApi, namespace: string, environment: string, options: LockOptions, sentAhead?: LeaseAttempt): Promise<HeldLock> {
  const ahead = sentAhead?.isFor(namespace, environment, options) ? sentAhead : undefined;
  // Not ours to take over (another environment's or holder's: a caller's mistake): let go of it, take our own.
  if (sentAhead && !ahead) await sentAhead.abandon(client);
  const claim = ahead?.claim ?? leaseClaim(namespace, environment, options);
  const { path, name, now } = claim;
  const deadline = now().getTime() + (options.waitSeconds ?? 120) * 1000;
  const start = (lease: JsonObject, requestedAt: Date): HeldLock => LeaseRenewal.start(client, { ...claim, lease, renewedAt: requestedAt.getTime() });

  let waitingFor: LeaseHolder | undefined;
  // The first try creates without reading: the Lease is usually absent (the last apply deleted it), and the
  // create succeeds only if it is, so one request takes it. A 409 (it exists) means reading it, as below.
  // A create sent ahead is that first try: held on its 201, read on its 409, sent again (same token) otherwise.
  let read = false;
  if (ahead) {
    const first = await ahead.outcome;
    if ('held' in first) return first.held;
    read = 'exists' in first;
  }
  for (;;) {
    options.signal?.throwIfAborted();
    let lease: JsonObject | undefined;
    if (read) {
      try {
        lease = await client.get(path, `read Lease ${namespace}/${name}`);
      } catch (error) {
        // The command's time ran out while waiting: say who we were waiting for.
        if (error instanceof DeadlineExceededError && waitingFor) throw new LockBusyError(environment, `${namespace}/${name}`, waitingFor.identity, waitingFor.commit);
        throw error;
      }
      if (lease && tokenOf(lease) === claim.token) return start(lease, renewedAt(lease) ?? now()); // our write went through; its answer was lost
    }
    read = true;
    const requestedAt = now();
    try {
      if (!lease) return start(await createLease(client, claim), requestedAt);
      const holder = heldBy(lease, now());
      if (!holder) {
        const taken = await client.request({ method: 'PUT', path, body: leaseBody(claim, resourceVersionOf(lease)), what: `take over expired Lease ${namespace}/${name}` });
        // A released Lease is deleted: an expired one naming a holder is an apply that stopped without releasing it.
        const stopped = lastHolder(lease);
        if (stopped) options.onTakeover?.(stopped, now());
        return start(taken, requestedAt);
      }
      waitingFor = holder;
      if (now().getTime() >= deadline) throw new LockBusyError(environment, `${namespace}/${name}`, holder.identity, holder.commit);
      options.onWait?.(holder, now());
    } catch (error) {
      // It existed at our first create, someone created or renewed it between our read and our write, or
      // our own write went through unanswered: the next read tells which.
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      continue;
    }
    await sleep(options.pollMs ?? 1_000, undefined, options.signal ? { signal: options.signal } : {}).catch((error: unknown) => {
      throw options.signal?.aborted ? options.signal.reason : error;
    });
  }
}
