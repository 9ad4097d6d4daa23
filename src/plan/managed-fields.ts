import { isObject, type JsonObject, type JsonValue, type PathSegment } from '../core/json.ts';
import type { KubeObject } from '../core/kube.ts';

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
  const managed = object.metadata['managedFields'];
  if (!Array.isArray(managed)) return [];
  return managed.filter(isObject).flatMap((m) =>
    isObject(m['fieldsV1']) && typeof m['manager'] === 'string'
      ? [{ manager: m['manager'], operation: String(m['operation'] ?? ''), time: typeof m['time'] === 'string' ? m['time'] : undefined, fields: m['fieldsV1'] }]
      : [],
  );
}

export function hasManager(object: KubeObject, manager: string): boolean {
  return entries(object).some((e) => e.manager === manager);
}

/**
 * The managers that own a field, reading FieldsV1 (`{"f:spec": {"f:traffic": {"f:enableEgress": {}}}}`).
 * A manager that owns a list or map as a whole (an atomic one) owns everything under it.
 */
export function ownersOf(object: KubeObject, path: readonly PathSegment[]): FieldOwner[] {
  return entries(object).filter((entry) => owns(entry.fields, path)).map(({ manager, operation, time }) => ({ manager, operation, time }));
}

function owns(fields: JsonObject, path: readonly PathSegment[]): boolean {
  let node: JsonValue | undefined = fields;
  for (const segment of path) {
    if (!isObject(node)) return false;
    if (isLeaf(node) && node !== fields) return true;
    if (typeof segment === 'number') return isLeaf(node);
    node = node[`f:${segment}`];
    if (node === undefined) return false;
  }
  return isObject(node);
}

function isLeaf(node: JsonObject): boolean {
  return Object.keys(node).every((key) => key === '.');
}
