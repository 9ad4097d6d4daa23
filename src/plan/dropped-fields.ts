import { getAt, isObject, type JsonObject, type PathSegment } from '../core/json.ts';
import type { KubeObject } from '../core/kube.ts';
import { FIELD_MANAGER } from '../core/ownership.ts';
import { applyEntries, ownersOf } from './managed-fields.ts';

/**
 * `live` without the fields a server-side apply of `applied` by fsm-gitops removes: fields under `spec` that
 * fsm-gitops's Apply entry in managedFields owns, that `applied` no longer sets, and that no other manager
 * owns (Kubernetes docs, "Server-Side Apply", field management: a field removed from a manager's applied
 * configuration is removed from the object when no other manager owns it). What a live plan learns from
 * the server's dry run, for a plan without one (a snapshot). A list is one field (FSM's lists are atomic):
 * its items are not followed. A live object without managedFields (a snapshot taken without kubectl's
 * `--show-managed-fields`) is returned as it is: then no removal can be told.
 */
export function withoutDroppedFields(live: KubeObject, applied: KubeObject): KubeObject {
  const dropped: PathSegment[][] = [];
  for (const entry of applyEntries(live, FIELD_MANAGER)) {
    const spec = getAt(entry['fieldsV1'], ['f:spec']);
    if (isObject(spec)) collectDropped(spec, ['spec'], live, applied, dropped);
  }
  if (dropped.length === 0) return live;
  const copy = structuredClone(live);
  for (const path of dropped) deleteAt(copy as unknown as JsonObject, path);
  return copy;
}

/** The owned leaf fields under `fields` (FieldsV1 at `path`) that `applied` lacks and only fsm-gitops owns in `live`. */
function collectDropped(fields: JsonObject, path: PathSegment[], live: KubeObject, applied: KubeObject, out: PathSegment[][]): void {
  const children = Object.keys(fields).filter((key) => key.startsWith('f:'));
  if (children.length === 0) {
    const leaf = getAt(live, path) !== undefined && getAt(applied, path) === undefined;
    if (leaf && ownersOf(live, path).every((owner) => owner.manager === FIELD_MANAGER)) out.push(path);
    return;
  }
  for (const key of children) {
    const below = fields[key];
    if (isObject(below)) collectDropped(below, [...path, key.slice(2)], live, applied, out);
  }
}

function deleteAt(target: JsonObject, path: readonly PathSegment[]): void {
  const parent = getAt(target, path.slice(0, -1));
  if (isObject(parent)) delete parent[String(path[path.length - 1])];
}
