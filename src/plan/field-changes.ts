import { deepEqual, formatPath, getOwn, isObject, type JsonValue, type PathSegment } from '../core/json.ts';

/** One leaf that differs: `spec.traffic.enableEgress: false → true`. `before` or `after` is absent when the field is added or removed. */
export interface FieldChange {
  path: string;
  before?: JsonValue;
  after?: JsonValue;
}

export interface LeafDiff {
  path: PathSegment[];
  before: JsonValue | undefined;
  after: JsonValue | undefined;
}

/** Leaf-level differences; lists of scalars count as one value, lists of mappings are compared item by item. */
export function leafDiffs(before: JsonValue | undefined, after: JsonValue | undefined, path: PathSegment[] = []): LeafDiff[] {
  if (deepEqual(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => leafDiffs(getOwn(before, key), getOwn(after, key), [...path, key]));
  }
  if (Array.isArray(before) && Array.isArray(after) && [...before, ...after].some((item) => isObject(item))) {
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, i) => leafDiffs(before[i], after[i], [...path, i])).flat();
  }
  return [{ path, before, after }];
}

export function fieldChanges(before: JsonValue | undefined, after: JsonValue | undefined): FieldChange[] {
  return leafDiffs(before, after).map(({ path, before: b, after: a }) => {
    const change: FieldChange = { path: formatPath(path) };
    if (b !== undefined) change.before = b;
    if (a !== undefined) change.after = a;
    return change;
  });
}
