import { diffArrays } from 'diff';
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

/**
 * Leaf-level differences; lists of scalars count as one value, lists of mappings are compared item by item
 * after aligning equal items (diffArrays, a longest common subsequence): one rule inserted into a
 * ClusterRole's 50 is one added item (at its index in `after`), not 50 shifted ones. A removed item is at its
 * index in `before`; items replaced in place are compared field by field.
 */
export function leafDiffs(before: JsonValue | undefined, after: JsonValue | undefined, path: PathSegment[] = []): LeafDiff[] {
  if (deepEqual(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => leafDiffs(getOwn(before, key), getOwn(after, key), [...path, key]));
  }
  if (Array.isArray(before) && Array.isArray(after) && [...before, ...after].some((item) => isObject(item))) return itemDiffs(before, after, path);
  return [{ path, before, after }];
}

function itemDiffs(before: JsonValue[], after: JsonValue[], path: PathSegment[]): LeafDiff[] {
  const diffs: LeafDiff[] = [];
  let b = 0;
  let a = 0;
  let removed: JsonValue[] = [];
  const flushRemoved = (): void => {
    for (const item of removed) diffs.push({ path: [...path, b++], before: item, after: undefined });
    removed = [];
  };
  for (const part of diffArrays(before, after, { comparator: (x, y) => deepEqual(x, y) })) {
    if (part.removed) {
      removed = part.value;
    } else if (part.added) {
      // A removal followed by an addition: the items were replaced in place, compared pairwise; the rest added.
      const paired = Math.min(removed.length, part.value.length);
      for (let i = 0; i < paired; i++) diffs.push(...leafDiffs(removed[i], part.value[i], [...path, a + i]));
      b += paired;
      removed = removed.slice(paired);
      flushRemoved();
      for (let i = paired; i < part.value.length; i++) diffs.push({ path: [...path, a + i], before: undefined, after: part.value[i] });
      a += part.value.length;
    } else {
      flushRemoved();
      b += part.value.length;
      a += part.value.length;
    }
  }
  flushRemoved();
  return diffs;
}

export function fieldChanges(before: JsonValue | undefined, after: JsonValue | undefined): FieldChange[] {
  return leafDiffs(before, after).map(({ path, before: b, after: a }) => {
    const change: FieldChange = { path: formatPath(path) };
    if (b !== undefined) change.before = b;
    if (a !== undefined) change.after = a;
    return change;
  });
}
