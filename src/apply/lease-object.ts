import { isObject, type JsonObject } from '../core/json.ts';
import { COMMIT_ANNOTATION } from '../core/ownership.ts';

/** Which acquisition of a Lease this is: tells our own create or takeover from someone else's when an answer was lost. */
export const LEASE_TOKEN_ANNOTATION = 'fsm-gitops.io/lease-token';

export interface LeaseHolder {
  identity: string;
  commit: string | undefined;
  /** When the Lease expires unless renewed (epoch ms): its renewTime plus leaseDurationSeconds. */
  expiresAt: number;
}

/** Who holds a Lease and for which commit, or undefined when nobody does (no holder, or expired at `now`). */
export function heldBy(lease: JsonObject, now: Date): LeaseHolder | undefined {
  const last = lastHolder(lease);
  return last && last.expiresAt > now.getTime() ? last : undefined;
}

/** Who held a Lease last, expired or not, or undefined when it names no holder or no renewal. */
export function lastHolder(lease: JsonObject): LeaseHolder | undefined {
  const spec = isObject(lease['spec']) ? lease['spec'] : {};
  const identity = holderOf(lease);
  const renewed = Date.parse(String(spec['renewTime'] ?? spec['acquireTime'] ?? ''));
  const duration = typeof spec['leaseDurationSeconds'] === 'number' ? spec['leaseDurationSeconds'] : 0;
  if (identity === '' || Number.isNaN(renewed)) return undefined;
  const commit = annotationsOf(lease)[COMMIT_ANNOTATION];
  return { identity, commit: typeof commit === 'string' ? commit : undefined, expiresAt: renewed + duration * 1000 };
}

export function holderOf(lease: JsonObject): string {
  const spec = isObject(lease['spec']) ? lease['spec'] : {};
  return typeof spec['holderIdentity'] === 'string' ? spec['holderIdentity'] : '';
}

export function tokenOf(lease: JsonObject): string | undefined {
  const token = annotationsOf(lease)[LEASE_TOKEN_ANNOTATION];
  return typeof token === 'string' ? token : undefined;
}

export function resourceVersionOf(object: JsonObject): string | undefined {
  const metadata = object['metadata'];
  return isObject(metadata) && typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : undefined;
}

/** Leases take MicroTime: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function annotationsOf(object: JsonObject): JsonObject {
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  return isObject(metadata['annotations']) ? metadata['annotations'] : {};
}
