import { isObject, type JsonValue, type PathSegment } from '../core/json.ts';

/** A server-side apply refusal, split: the field it names and what is wrong there. */
export interface TypedPatchFailure {
  /** The field as the server wrote it: `.spec.chains[name="inbound-http"].plugins`. */
  field: string;
  /** `field not declared in schema`, `expected numeric (int or float), got string`. */
  detail: string;
}

/**
 * kube-apiserver refuses a server-side apply whose object does not fit the schema with a bare 500
 * "failed to create typed patch object: .spec.prioriy: field not declared in schema" (the field path is
 * sigs.k8s.io/structured-merge-diff's fieldpath.Path.String()). Returns the field and the detail, or
 * undefined for any other message.
 */
export function parseTypedPatchFailure(message: string): TypedPatchFailure | undefined {
  const match = /failed to create typed (?:patch|live) object(?: \([^)]*\))?: (\.\S+?): (.+)$/s.exec(message);
  return match?.[1] && match[2] ? { field: match[1], detail: match[2].trim() } : undefined;
}

/**
 * Resolves a structured-merge-diff field path against the object it was computed from, so it can be placed
 * on a line: `.name` is a map key (map keys may hold dots, `.metadata.labels.app.kubernetes.io/name`, so the
 * longest key the object has wins), `[3]` a list index, `[name="x"]` the list item with those keys,
 * `[="x"]` the set item equal to x. Stops at the first step the object does not have: the path to there.
 */
export function resolveTypedPath(object: JsonValue, field: string): PathSegment[] {
  const steps = typedPathSteps(field);
  const path: PathSegment[] = [];
  let at: JsonValue | undefined = object;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.startsWith('.')) {
      if (!isObject(at)) break;
      let key = step.slice(1);
      let end = i;
      // Join following `.x` steps while that makes a key the object has (a dotted map key), never past the
      // longest such key: a path of many dots against an object without them costs one look each.
      const longest = maxDottedKeyLength(at);
      for (let j = i + 1, joined = key; j < steps.length && steps[j]!.startsWith('.') && joined.length + steps[j]!.length <= longest; j++) {
        joined += steps[j];
        if (Object.hasOwn(at, joined)) [key, end] = [joined, j];
      }
      if (!Object.hasOwn(at, key)) {
        path.push(key);
        break;
      }
      path.push(key);
      at = at[key];
      i = end;
    } else {
      if (!Array.isArray(at)) break;
      const index = listIndex(at, step.slice(1, -1));
      if (index === undefined) break;
      path.push(index);
      at = at[index];
    }
  }
  return path;
}

/**
 * The steps of a field path as strings: `.key` (up to the next `.` or `[`) and `[selector]` (up to the first
 * `]`); a `[` that no `]` closes is skipped. One pass: where no `]` is left, none is searched for again.
 */
function typedPathSteps(field: string): string[] {
  const steps: string[] = [];
  let closeLeft = true;
  for (let at = 0; at < field.length; ) {
    if (field[at] === '.') {
      let end = at + 1;
      while (end < field.length && field[end] !== '.' && field[end] !== '[') end++;
      steps.push(field.slice(at, end));
      at = end;
    } else if (field[at] === '[' && closeLeft) {
      const close = field.indexOf(']', at + 1);
      closeLeft = close >= 0;
      if (closeLeft) steps.push(field.slice(at, close + 1));
      at = closeLeft ? close + 1 : at + 1;
    } else at++;
  }
  return steps;
}

function maxDottedKeyLength(object: Record<string, unknown>): number {
  let longest = 0;
  for (const key of Object.keys(object)) if (key.includes('.')) longest = Math.max(longest, key.length);
  return longest;
}

function listIndex(list: readonly JsonValue[], selector: string): number | undefined {
  if (/^\d+$/.test(selector)) return Number(selector) < list.length ? Number(selector) : undefined;
  if (selector.startsWith('=')) {
    const value = parseJson(selector.slice(1));
    const index = list.findIndex((item) => JSON.stringify(item) === JSON.stringify(value));
    return index < 0 ? undefined : index;
  }
  const keys = [...selector.matchAll(/([^=,]+)=("(?:[^"\\]|\\.)*"|[^,]*)/g)].map((m) => [m[1]!, parseJson(m[2]!)] as const);
  const index = list.findIndex((item) => isObject(item) && keys.every(([key, value]) => JSON.stringify(item[key]) === JSON.stringify(value)));
  return keys.length === 0 || index < 0 ? undefined : index;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
