import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../core/json.ts';
import { COMMIT_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/ownership.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import type { RetryPolicy } from '../kube/retry.ts';
import { collectionPath, LEASES, objectPath } from '../kube/resource-paths.ts';
import { LEASE_TOKEN_ANNOTATION, microTime } from './lease-object.ts';

export const DEFAULT_LEASE_SECONDS = 60;

/** Who asks for an environment's Lease: src/apply/lock.ts's LockOptions, as far as the Lease itself says them. */
export interface ClaimOptions {
  /** Who takes the lock: `fsm-gitops-cli/alice@host`, `github-app/delivery-123`. */
  holder: string;
  commit: string;
  /** How long the lock lasts without renewal (default DEFAULT_LEASE_SECONDS). */
  leaseSeconds?: number | undefined;
  now?: (() => Date) | undefined;
}

/**
 * One acquisition of an environment's Lease (`fsm-gitops-<environment>` in the mesh namespace): its path, and
 * the token that tells this acquisition's create or takeover from anyone else's when an answer is lost. Every
 * request of one acquisition, sent ahead or not, carries the same token.
 */
export interface LeaseClaim {
  namespace: string;
  name: string;
  /** The Lease's object path. */
  path: string;
  token: string;
  holder: string;
  commit: string;
  leaseSeconds: number;
  now: () => Date;
}

export function leaseClaim(namespace: string, environment: string, options: ClaimOptions): LeaseClaim {
  const name = `fsm-gitops-${environment}`;
  return {
    namespace,
    name,
    path: objectPath(LEASES, namespace, name),
    token: randomUUID(),
    holder: options.holder,
    commit: options.commit,
    leaseSeconds: options.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
    now: options.now ?? (() => new Date()),
  };
}

/** The Lease our create (no `resourceVersion`) or takeover (the version read) writes: holder, commit and token, acquired now. */
export function leaseBody(claim: LeaseClaim, resourceVersion?: string): JsonObject {
  const now = microTime(claim.now());
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: claim.name,
      namespace: claim.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      annotations: { [COMMIT_ANNOTATION]: claim.commit, [LEASE_TOKEN_ANNOTATION]: claim.token },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec: { holderIdentity: claim.holder, leaseDurationSeconds: claim.leaseSeconds, acquireTime: now, renewTime: now },
  };
}

/**
 * Creates the Lease (POST): the API server creates it only if there is none, and answers 409 AlreadyExists
 * otherwise (Kubernetes API conventions, create). Returns the Lease created.
 */
export function createLease(client: KubeApi, claim: LeaseClaim, retry?: RetryPolicy): Promise<JsonObject> {
  return client.request({
    method: 'POST',
    path: collectionPath(LEASES, claim.namespace),
    body: leaseBody(claim),
    what: `create Lease ${claim.namespace}/${claim.name}`,
    ...(retry ? { retry } : {}),
  });
}
