import { diffArrays } from 'diff';
import { deepEqual, formatPath, getOwn, isObject, type JsonValue, type NamedItem, type PathSegment } from '../core/json.ts';

/**
 * One leaf that differs: `spec.traffic.enableEgress: false → true`, `spec.template.spec.containers[name=fsm-controller].image`.
 * `before` or `after` is absent when the field is added or removed.
 */
export interface FieldChange {
  path: string;
  before?: JsonValue;
  after?: JsonValue;
}

export interface LeafDiff {
  /** Keys and indexes: a removed item's index is the one it had in `before`. */
  path: PathSegment[];
  /** The path as people read it: named list items by name (`containers[name=fsm-controller]`), as FieldChange's. */
  shown: string;
  before: JsonValue | undefined;
  after: JsonValue | undefined;
}

/** A step of a diff's path: a key, an index, or a list item that also has a name (its index as in LeafDiff). */
type Step = PathSegment | NamedItem;

interface StepDiff {
  steps: Step[];
  before: JsonValue | undefined;
  after: JsonValue | undefined;
}

/**
 * Leaf-level differences; lists of scalars count as one value, lists of mappings are compared item by item.
 * Items that all have a distinct `name` on both sides (containers, env, volumes, a PluginChain's chains) are
 * matched by name, as a strategic merge patch matches them by their merge key: a container added before
 * another is one added item, and the other's changes are its own. Other lists are aligned on equal items
 * (diffArrays, a longest common subsequence): one rule inserted into a ClusterRole's 50 is one added item (at its
 * index in `after`), not 50 shifted ones. A removed item is at its index in `before`; items replaced in place
 * are compared field by field.
 */
export function leafDiffs(before: JsonValue | undefined, after: JsonValue | undefined, path: PathSegment[] = []): LeafDiff[] {
  return stepDiffs(before, after, path).map(({ steps, before: b, after: a }) => ({ path: steps.map((s) => (typeof s === 'object' ? s.index : s)), shown: formatPath(steps), before: b, after: a }));
}

/** leafDiffs with list items named where they have names: `containers[name=fsm-controller].image`. */
export function fieldChanges(before: JsonValue | undefined, after: JsonValue | undefined): FieldChange[] {
  return stepDiffs(before, after, []).map(({ steps, before: b, after: a }) => {
    const change: FieldChange = { path: formatPath(steps) };
    if (b !== undefined) change.before = b;
    if (a !== undefined) change.after = a;
    return change;
  });
}

function stepDiffs(before: JsonValue | undefined, after: JsonValue | undefined, steps: Step[]): StepDiff[] {
  if (deepEqual(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => stepDiffs(getOwn(before, key), getOwn(after, key), [...steps, key]));
  }
  if (Array.isArray(before) && Array.isArray(after) && [...before, ...after].some((item) => isObject(item))) {
    return namedItemDiffs(before, after, steps) ?? itemDiffs(before, after, steps);
  }
  return [{ steps, before, after }];
}

/** Each item's `name` when every item of the list has one, distinct from the others'; else undefined. */
function itemNames(list: JsonValue[]): string[] | undefined {
  const names = list.map((item) => (isObject(item) && typeof item['name'] === 'string' ? item['name'] : undefined));
  if (names.some((name) => name === undefined) || new Set(names).size !== names.length) return undefined;
  return names as string[];
}

/**
 * Items matched by name, when both lists' items are named (itemNames). Undefined otherwise. When the items both
 * lists have are in another order (initContainers run in order, an env entry can use an earlier one), or the
 * lists differ only in order, the whole list is the change: order is part of what changes, and of the digest.
 */
function namedItemDiffs(before: JsonValue[], after: JsonValue[], steps: Step[]): StepDiff[] | undefined {
  const beforeNames = itemNames(before);
  const afterNames = itemNames(after);
  if (!beforeNames || !afterNames) return undefined;
  const wasAt = new Map(beforeNames.map((name, index) => [name, index]));
  const isAt = new Map(afterNames.map((name, index) => [name, index]));
  const kept = afterNames.filter((name) => wasAt.has(name));
  if (!kept.every((name, i) => i === 0 || wasAt.get(name)! > wasAt.get(kept[i - 1]!)!)) return [{ steps, before, after }];
  const diffs: StepDiff[] = [];
  beforeNames.forEach((name, index) => {
    if (!isAt.has(name)) diffs.push({ steps: [...steps, { index, name }], before: before[index], after: undefined });
  });
  afterNames.forEach((name, index) => {
    const was = wasAt.get(name);
    if (was === undefined) diffs.push({ steps: [...steps, { index, name }], before: undefined, after: after[index] });
    else if (!deepEqual(before[was], after[index])) diffs.push(...stepDiffs(before[was], after[index], [...steps, { index, name }]));
  });
  return diffs.length > 0 ? diffs : [{ steps, before, after }];
}

function itemDiffs(before: JsonValue[], after: JsonValue[], steps: Step[]): StepDiff[] {
  const diffs: StepDiff[] = [];
  let b = 0;
  let a = 0;
  let removed: JsonValue[] = [];
  const flushRemoved = (): void => {
    for (const item of removed) diffs.push({ steps: [...steps, b++], before: item, after: undefined });
    removed = [];
  };
  for (const part of diffArrays(before, after, { comparator: (x, y) => deepEqual(x, y) })) {
    if (part.removed) {
      removed = part.value;
    } else if (part.added) {
      // A removal followed by an addition: the items were replaced in place, compared pairwise; the rest added.
      const paired = Math.min(removed.length, part.value.length);
      for (let i = 0; i < paired; i++) diffs.push(...stepDiffs(removed[i], part.value[i], [...steps, a + i]));
      b += paired;
      removed = removed.slice(paired);
      flushRemoved();
      for (let i = paired; i < part.value.length; i++) diffs.push({ steps: [...steps, a + i], before: undefined, after: part.value[i] });
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
