import { deepEqual, getAt, getOwn, isObject, setOwn, type JsonObject, type JsonValue, type PathSegment } from '../core/json.ts';
import type { KubeObject } from '../core/kube.ts';
import { FIELD_MANAGER } from '../core/ownership.ts';
import { ownersOf } from '../plan/managed-fields.ts';

/** The parts of an object a restore may touch: what server-side apply sets, never status or server metadata. */
const RESTORABLE: readonly PathSegment[][] = [['metadata', 'labels'], ['metadata', 'annotations'], ['spec']];

/**
 * The server-side apply configuration that puts an object back as `before` when applied by fsm-gitops
 * over what `applied` (our apply's configuration) left: `before`'s value at every field our apply set
 * that `before` had, and at every field fsm-gitops owned in `before` (its managedFields); fields only our
 * apply added are left out, so server-side apply removes them (Kubernetes docs, "Server-Side Apply:
 * field management"). Fields other managers own and our apply never touched stay theirs.
 * Lists count as leaves (FSM's lists are atomic).
 */
export function restoreConfig(before: KubeObject, applied: KubeObject): KubeObject {
  const config: KubeObject = {
    apiVersion: before.apiVersion,
    kind: before.kind,
    metadata: { name: before.metadata.name, ...(before.metadata.namespace ? { namespace: before.metadata.namespace } : {}) },
  };
  for (const path of restoredPaths(before, applied)) setAt(config, path, getAt(before, path)!);
  return config;
}

/** Whether `current` holds `before`'s values wherever a restore sets them, and none of the fields only `applied` added. */
export function isRestored(current: KubeObject, before: KubeObject, applied: KubeObject): boolean {
  if (!restoredPaths(before, applied).every((path) => deepEqual(getAt(current, path), getAt(before, path)))) return false;
  return RESTORABLE.flatMap((root) => leafPaths(getAt(applied, root), root)).every((path) => getAt(before, path) !== undefined || getAt(current, path) === undefined);
}

function restoredPaths(before: KubeObject, applied: KubeObject): PathSegment[][] {
  const paths = new Map<string, PathSegment[]>();
  for (const root of RESTORABLE) {
    for (const path of leafPaths(getAt(applied, root), root)) if (getAt(before, path) !== undefined) paths.set(JSON.stringify(path), path);
    for (const path of leafPaths(getAt(before, root), root)) {
      if (ownersOf(before, path).some((o) => o.manager === FIELD_MANAGER)) paths.set(JSON.stringify(path), path);
    }
  }
  return [...paths.values()];
}

function leafPaths(value: JsonValue | undefined, path: PathSegment[]): PathSegment[][] {
  if (!isObject(value)) return value === undefined ? [] : [path];
  const entries = Object.entries(value);
  if (entries.length === 0) return [path];
  return entries.flatMap(([key, child]) => leafPaths(child, [...path, key]));
}

function setAt(target: JsonObject, path: readonly PathSegment[], value: JsonValue): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const key = String(segment);
    const child = getOwn(node, key);
    if (!isObject(child)) setOwn(node, key, {});
    node = getOwn(node, key) as JsonObject;
  }
  setOwn(node, String(path[path.length - 1]), structuredClone(value));
}
