import { isObject, type JsonObject, type JsonValue, type PathSegment } from '../core/json.ts';
import { managedFieldsOf, type KubeObject } from '../core/kube.ts';

/** One entry of `metadata.managedFields`: who wrote (`Apply`: server-side apply; `Update`: PUT or non-apply PATCH) and when, to the second. */
export interface FieldOwner {
  manager: string;
  operation: string;
  time: string | undefined;
}

interface Entry extends FieldOwner {
  fields: JsonObject;
}

/** The managedFields entries of an object (FieldsV1 only). */
function entries(object: KubeObject): Entry[] {
  return managedFieldsOf(object).flatMap((m) =>
    isObject(m['fieldsV1']) && typeof m['manager'] === 'string'
      ? [{ manager: m['manager'], operation: String(m['operation'] ?? ''), time: typeof m['time'] === 'string' ? m['time'] : undefined, fields: m['fieldsV1'] }]
      : [],
  );
}

/** The managedFields entries `manager` wrote by server-side apply (operation Apply, not to a subresource), as stored. */
export function applyEntries(object: KubeObject, manager: string): JsonObject[] {
  return managedFieldsOf(object).filter((m) => m['manager'] === manager && m['operation'] === 'Apply' && !m['subresource']);
}

/**
 * The newest managedFields entry of a manager, or undefined if it never wrote the object (or every field it
 * wrote was taken by others: the server drops an entry left with no fields). For fsm-gitops, which only
 * applies, its time is the last apply (Kubernetes server-side apply docs: "managedFields").
 */
export function managerEntry(object: KubeObject, manager: string): FieldOwner | undefined {
  const own = entries(object).filter((e) => e.manager === manager);
  own.sort((a, b) => seconds(b.time) - seconds(a.time));
  const first = own[0];
  return first ? { manager: first.manager, operation: first.operation, time: first.time } : undefined;
}

/**
 * The managers that own a field, reading FieldsV1 (`{"f:spec": {"f:traffic": {"f:enableEgress": {}}}}`).
 * A field recorded as an empty set `{}` is owned whole: a scalar, a list, or an atomic map or struct
 * (x-kubernetes-map-type: atomic), so its owner owns everything under it. `"."` only records that a
 * granular map exists: it owns none of the map's fields.
 *
 * An empty set is also what the server leaves of a granular map once others took every field a manager
 * had in it (fsm-gitops's `"f:featureFlags": {}` after a `kubectl edit` of its one field there, measured on
 * kube-apiserver 1.20): that owns nothing. The two read alike; a map where any entry records fields
 * inside it is granular, so an empty set there is such a remnant (an atomic map is owned whole by every
 * manager that owns it).
 */
export function ownersOf(object: KubeObject, path: readonly PathSegment[]): FieldOwner[] {
  const all = entries(object);
  const granular = path.map((_, depth) => all.some((entry) => hasFieldsInside(entry.fields, path.slice(0, depth + 1))));
  return all.filter((entry) => owns(entry.fields, path, granular)).map(({ manager, operation, time }) => ({ manager, operation, time }));
}

/** `granular[i]`: whether the map at path[0..i] is granular (hasFieldsInside), where an empty set owns nothing. */
function owns(fields: JsonObject, path: readonly PathSegment[], granular: readonly boolean[]): boolean {
  let node: JsonObject = fields;
  for (const [depth, segment] of path.entries()) {
    if (node !== fields && Object.keys(node).length === 0) return !granular[depth - 1]; // owned whole, unless a remnant
    if (typeof segment === 'number') return false; // list items are keyed k:/v:/i: in FieldsV1; lists are compared whole here
    const child: JsonValue | undefined = node[`f:${segment}`];
    if (!isObject(child)) return false;
    node = child;
  }
  return true;
}

/** Whether `fields` records anything inside the field at `path` (a child or `"."`). */
function hasFieldsInside(fields: JsonObject, path: readonly PathSegment[]): boolean {
  let node: JsonValue | undefined = fields;
  for (const segment of path) {
    if (!isObject(node) || typeof segment === 'number') return false;
    node = node[`f:${segment}`];
  }
  return isObject(node) && Object.keys(node).length > 0;
}

/**
 * Whether `owner` wrote the object after `since` (fsm-gitops's last apply) on managedFields' one-second
 * clock. A write in the same second counts, unless that second is also the object's creation: then the
 * owner's entry may be the creation itself, before fsm-gitops ever applied (the two cannot be told apart).
 * Unknown times count as after: the drift can then not be ruled out.
 */
export function wroteSince(owner: FieldOwner, since: FieldOwner, creationTimestamp: string | undefined): boolean {
  if (owner.time === undefined || since.time === undefined) return true;
  const at = seconds(owner.time);
  const applied = seconds(since.time);
  return at > applied || (at === applied && at !== seconds(creationTimestamp));
}

function seconds(time: string | undefined): number {
  const parsed = time === undefined ? NaN : Date.parse(time);
  return Number.isNaN(parsed) ? -Infinity : Math.floor(parsed / 1000);
}
