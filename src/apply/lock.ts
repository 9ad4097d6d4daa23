import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isObject, type JsonObject } from '../core/json.ts';
import { COMMIT_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/ownership.ts';
import { DeadlineExceededError, type KubeApi } from '../kube/kube-client.ts';
import { KubeApiError } from '../kube/kube-errors.ts';
import { collectionPath, LEASES, objectPath } from '../kube/resource-paths.ts';
import { heldBy, LEASE_TOKEN_ANNOTATION, microTime, resourceVersionOf, tokenOf } from './lease-object.ts';
import { LeaseLostError, LeaseRenewal, type HeldLock } from './lease-renewal.ts';

export { LeaseLostError, type HeldLock };

export const DEFAULT_LEASE_SECONDS = 60;

/** When the Lease was last renewed, by its spec (what our own write said), or undefined. */
function renewedAt(lease: JsonObject): Date | undefined {
  const spec = lease['spec'];
  const time = isObject(spec) ? Date.parse(String(spec['renewTime'] ?? '')) : NaN;
  return Number.isNaN(time) ? undefined : new Date(time);
}

export interface LockOptions {
  /** Who takes the lock: `fsm-gitops-cli/alice@host`, `github-app/delivery-123`. */
  holder: string;
  commit: string;
  /** How long the lock lasts without renewal, so a crashed holder does not block for long. Renewed every sixth of it. */
  leaseSeconds?: number;
  /** How long to wait for a lock someone else holds before giving up. */
  waitSeconds?: number;
  pollMs?: number;
  now?: () => Date;
  onWait?(holder: string, commit: string | undefined): void;
}

/** A lock held by someone else for longer than we would wait. */
export class LockBusyError extends Error {
  constructor(
    readonly lease: string,
    readonly holder: string,
    readonly commit: string | undefined,
  ) {
    super(`environment is locked by ${holder}${commit ? ` (applying commit ${commit})` : ''}: lease ${lease}; try again when it is done`);
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
export async function acquireLock(client: KubeApi, namespace: string, environment: string, options: LockOptions): Promise<HeldLock> {
  const name = `fsm-gitops-${environment}`;
  const path = objectPath(LEASES, namespace, name);
  const now = options.now ?? (() => new Date());
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const deadline = now().getTime() + (options.waitSeconds ?? 120) * 1000;
  const token = randomUUID();
  const body = (resourceVersion?: string): JsonObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      annotations: { [COMMIT_ANNOTATION]: options.commit, [LEASE_TOKEN_ANNOTATION]: token },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec: { holderIdentity: options.holder, leaseDurationSeconds: leaseSeconds, acquireTime: microTime(now()), renewTime: microTime(now()) },
  });
  const start = (lease: JsonObject, requestedAt: Date): HeldLock =>
    LeaseRenewal.start(client, { path, name, token, leaseSeconds, lease, renewedAt: requestedAt.getTime(), now });

  let lastHolder: { identity: string; commit: string | undefined } | undefined;
  // The first try creates without reading: the Lease is usually absent (the last apply deleted it), and the
  // create succeeds only if it is, so one request takes it. A 409 (it exists) means reading it, as below.
  let read = false;
  for (;;) {
    let lease: JsonObject | undefined;
    if (read) {
      try {
        lease = await client.get(path, `read Lease ${namespace}/${name}`);
      } catch (error) {
        // The command's time ran out while waiting: say who we were waiting for.
        if (error instanceof DeadlineExceededError && lastHolder) throw new LockBusyError(`${namespace}/${name}`, lastHolder.identity, lastHolder.commit);
        throw error;
      }
      if (lease && tokenOf(lease) === token) return start(lease, renewedAt(lease) ?? now()); // our write went through; its answer was lost
    }
    read = true;
    const requestedAt = now();
    try {
      if (!lease) {
        const created = await client.request({ method: 'POST', path: collectionPath(LEASES, namespace), body: body(), what: `create Lease ${namespace}/${name}` });
        return start(created, requestedAt);
      }
      const holder = heldBy(lease, now());
      if (!holder) {
        const taken = await client.request({ method: 'PUT', path, body: body(resourceVersionOf(lease)), what: `take over expired Lease ${namespace}/${name}` });
        return start(taken, requestedAt);
      }
      lastHolder = holder;
      if (now().getTime() >= deadline) throw new LockBusyError(`${namespace}/${name}`, holder.identity, holder.commit);
      options.onWait?.(holder.identity, holder.commit);
    } catch (error) {
      // It existed at our first create, someone created or renewed it between our read and our write, or
      // our own write went through unanswered: the next read tells which.
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      continue;
    }
    await sleep(options.pollMs ?? 1_000);
  }
}
