import { deepEqual, formatPath, isObject, type JsonValue, type PathSegment } from '../../core/json.ts';

/** A value is quoted up to this many characters. */
const VALUE_CHARS = 60;
/** Lists whose lengths multiply to more are only counted (`rules: 900 items → 901`): the items dropped or added are not searched for. */
const ITEM_COMPARISONS = 10_000;

/**
 * How the value at `path` goes from `now` to `next`, in a line: the path is narrowed to the one key or list
 * item that differs (`rules[2].verbs`, not all of `rules`), a list that gains or loses items says which (up
 * to 100 × 100 items; longer ones are counted), and a value longer than 60 characters is cut (`…`).
 * `quote: false` leaves values out (a Secret's).
 * `spec.replicas 3 → 1`; `rules: 5 items → 4, drops {"apiGroups":["apps"],…}`; `data.token` unquoted.
 */
export function valueDifference(path: string, now: JsonValue | undefined, next: JsonValue | undefined, quote = true): string {
  const narrowed = narrow(now, next);
  const at = path + joinPath(narrowed.path);
  if (!quote) return at;
  const [a, b] = [narrowed.now, narrowed.next];
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) {
    // Which items differ is a comparison of each with each: named for lists a person reads, counted for others.
    if (a.length * b.length > ITEM_COMPARISONS) return `${at}: ${items(a.length)} → ${b.length}`;
    const drops = a.filter((item) => !b.some((other) => deepEqual(item, other)));
    const adds = b.filter((item) => !a.some((other) => deepEqual(item, other)));
    return `${at}: ${items(a.length)} → ${b.length}${listed('drops', drops)}${listed('adds', adds)}`;
  }
  return `${at} ${brief(a)} → ${brief(b)}`;
}

/** Follows `now` and `next` down while exactly one key (or, in lists of one length, one item) differs. */
function narrow(now: JsonValue | undefined, next: JsonValue | undefined): { path: PathSegment[]; now: JsonValue | undefined; next: JsonValue | undefined } {
  const path: PathSegment[] = [];
  for (;;) {
    const [a, b] = [now, next];
    let differing: PathSegment[] = [];
    if (isObject(a) && isObject(b)) {
      differing = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => !deepEqual(a[key], b[key]));
    } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      differing = a.map((_, i) => i).filter((i) => !deepEqual(a[i], b[i]));
    }
    if (differing.length !== 1) return { path, now, next };
    const [step] = differing as [PathSegment];
    path.push(step);
    now = child(now, step);
    next = child(next, step);
  }
}

function child(value: JsonValue | undefined, step: PathSegment): JsonValue | undefined {
  if (typeof step === 'number') return Array.isArray(value) ? value[step] : undefined;
  return isObject(value) && Object.hasOwn(value, step) ? value[step] : undefined;
}

/** `["a.b"]`, `[2]`, `.name`: the narrowed steps after a path already written. */
function joinPath(steps: PathSegment[]): string {
  const text = formatPath(steps);
  return text === '' || text.startsWith('[') ? text : `.${text}`;
}

const items = (count: number): string => `${count} ${count === 1 ? 'item' : 'items'}`;

function listed(verb: string, values: JsonValue[]): string {
  if (values.length === 0) return '';
  return `, ${verb} ${brief(values[0])}${values.length > 1 ? ` and ${values.length - 1} more` : ''}`;
}

function brief(value: JsonValue | undefined): string {
  const text = value === undefined ? '(unset)' : JSON.stringify(value);
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS - 1)}…` : text;
}
