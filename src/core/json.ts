/** A value as YAML's core schema or JSON can produce it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** One step into a document: a mapping key or a sequence index. */
export type PathSegment = string | number;
export type JsonPath = readonly PathSegment[];

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list item that has a name (a container, an env variable), shown by it rather than by its index. */
export interface NamedItem {
  index: number;
  name: string;
}

const SIMPLE_KEY = /^[A-Za-z_$][\w$-]*$/;
const SIMPLE_NAME = /^[\w][\w.:/-]*$/;

/**
 * A list item's keys as the API server's field paths show them and people name items: `name=fsm-controller`;
 * a value that is not a plain name is JSON-quoted (`name="a]b"`), so no name can end the brackets.
 */
export function itemLabel(keys: Readonly<Record<string, JsonValue>>): string {
  return Object.entries(keys).map(([key, value]) => `${key}=${typeof value === 'string' && SIMPLE_NAME.test(value) ? value : JSON.stringify(value)}`).join(',');
}

/**
 * `spec.traffic.outboundPortExclusionList[2]`; keys that are not identifiers are quoted: `labels["app.kubernetes.io/name"]`;
 * a named list item is shown by its name: `containers[name=fsm-controller]`.
 */
export function formatPath(path: readonly (PathSegment | NamedItem)[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'object') out += `[${itemLabel({ name: segment.name })}]`;
    else if (typeof segment === 'number') out += `[${segment}]`;
    else if (SIMPLE_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Whether a path as formatPath writes it is `prefix` or lies under it (`a.b` is under `a`; so are `a.b.c` and `a[0]`). */
export function pathAtOrUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}

/**
 * A JSON pointer (RFC 6901: "/fsm/list/0", `~1` for `/`, `~0` for `~`) as a path into `data`: a segment that
 * indexes an array there becomes a number, every other one stays a string key ("0" of a mapping too).
 */
export function pathFromPointer(pointer: string, data: unknown): PathSegment[] {
  const path: PathSegment[] = [];
  let node = data;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node) && /^\d+$/.test(key)) {
      path.push(Number(key));
      node = node[Number(key)];
    } else {
      path.push(key);
      node = isObject(node) ? getOwn(node, key) : undefined;
    }
  }
  return path;
}

export function getAt(value: unknown, path: JsonPath): JsonValue | undefined {
  let current = value as JsonValue | undefined;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (!isObject(current) || !Object.hasOwn(current, segment)) return undefined;
      current = current[segment];
    }
  }
  return current;
}

/** `object[key]` when it is the object's own: a key such as `constructor` or `__proto__` never reads Object.prototype. */
export function getOwn(object: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return Number.isNaN(a) && Number.isNaN(b);
}

export function cloneJson<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

/**
 * Sets an own property even for `__proto__`, which plain assignment would treat as the prototype. Every other
 * key Object.prototype has is a writable data property, so assigning it makes an own property (ECMA-262
 * OrdinarySetWithOwnDescriptor); defineProperty, several times slower, is kept for `__proto__` alone.
 */
export function setOwn(target: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
