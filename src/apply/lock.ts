import { setTimeout as sleep } from 'node:timers/promises';
import { isObject, type JsonObject } from '../core/json.ts';
import { COMMIT_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/ownership.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import { KubeApiError } from '../kube/kube-errors.ts';
import { collectionPath, LEASES, objectPath } from '../kube/resource-paths.ts';

export interface LockOptions {
  /** Who takes the lock: `fsm-gitops-cli/alice@host`, `github-app/delivery-123`. */
  holder: string;
  commit: string;
  /** How long the lock lasts without renewal, so a crashed holder does not block for ever. */
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

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * One apply at a time per environment: a coordination.k8s.io/v1 Lease in the mesh namespace naming its
 * holder and commit. An expired lease (holder crashed) is taken over; a live one is waited for.
 */
export async function acquireLock(client: KubeApi, namespace: string, environment: string, options: LockOptions): Promise<HeldLock> {
  const name = `fsm-gitops-${environment}`;
  const path = objectPath(LEASES, namespace, name);
  const now = options.now ?? (() => new Date());
  const leaseSeconds = options.leaseSeconds ?? 600;
  const deadline = now().getTime() + (options.waitSeconds ?? 120) * 1000;
  const body = (resourceVersion?: string): JsonObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      annotations: { [COMMIT_ANNOTATION]: options.commit },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec: { holderIdentity: options.holder, leaseDurationSeconds: leaseSeconds, acquireTime: microTime(now()), renewTime: microTime(now()) },
  });

  for (;;) {
    const lease = await client.get(path, `read Lease ${namespace}/${name}`);
    try {
      if (!lease) {
        const created = await client.request({ method: 'POST', path: collectionPath(LEASES, namespace), body: body(), what: `create Lease ${namespace}/${name}` });
        return held(client, path, name, resourceVersionOf(created));
      }
      const holder = heldBy(lease, now());
      if (!holder) {
        const taken = await client.request({ method: 'PUT', path, body: body(resourceVersionOf(lease)), what: `take over expired Lease ${namespace}/${name}` });
        return held(client, path, name, resourceVersionOf(taken));
      }
      if (now().getTime() >= deadline) throw new LockBusyError(`${namespace}/${name}`, holder.identity, holder.commit);
      options.onWait?.(holder.identity, holder.commit);
    } catch (error) {
      // Someone else created or renewed it between our read and our write: look again.
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
    }
    await sleep(options.pollMs ?? 1_000);
  }
}

/** Releasing deletes the Lease only if it is still ours (unchanged since we took it). */
function held(client: KubeApi, path: string, name: string, resourceVersion: string | undefined): HeldLock {
  return {
    async release() {
      const preconditions = resourceVersion ? { resourceVersion } : undefined;
      try {
        await client.request({ method: 'DELETE', path, body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions }, what: `release Lease ${name}` });
      } catch (error) {
        if (!(error instanceof KubeApiError && (error.status === 404 || error.status === 409))) throw error;
      }
    },
  };
}

function heldBy(lease: JsonObject, now: Date): { identity: string; commit: string | undefined } | undefined {
  const spec = isObject(lease['spec']) ? lease['spec'] : {};
  const identity = typeof spec['holderIdentity'] === 'string' ? spec['holderIdentity'] : '';
  const renewed = Date.parse(String(spec['renewTime'] ?? spec['acquireTime'] ?? ''));
  const duration = typeof spec['leaseDurationSeconds'] === 'number' ? spec['leaseDurationSeconds'] : 0;
  if (identity === '' || Number.isNaN(renewed) || renewed + duration * 1000 <= now.getTime()) return undefined;
  const metadata = isObject(lease['metadata']) ? lease['metadata'] : {};
  const annotations = isObject(metadata['annotations']) ? metadata['annotations'] : {};
  const commit = annotations[COMMIT_ANNOTATION];
  return { identity, commit: typeof commit === 'string' ? commit : undefined };
}

function resourceVersionOf(object: JsonObject): string | undefined {
  const metadata = object['metadata'];
  return isObject(metadata) && typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : undefined;
}

/** Leases take MicroTime: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
