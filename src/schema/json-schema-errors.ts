import type { ErrorObject } from 'ajv';
import { getOwn, isObject, type JsonObject, type PathSegment } from '../core/json.ts';
import { toViolation, type Collapsed } from './json-schema-messages.ts';
import type { SchemaViolation } from './violation.ts';

/**
 * ajv's errors (allErrors, verbose) for `value` against `root` as violations in document order: one per
 * anyOf/oneOf/contains/propertyNames failure instead of one per branch tried. `root` is the very schema
 * object the validator was built from: error.schema and error.parentSchema are compared with the objects
 * reachable from it by identity. Used both by the validators compiled at run time (json-schema.ts) and by the
 * generated ones (own-schema.ts).
 */
export function violationsOf(errors: ErrorObject[], root: JsonObject, value: unknown): SchemaViolation[] {
  const violations = collapse(errors, root).map((error) => toViolation(error, value));
  return sortByDocument(violations, value);
}

/** Keywords whose value is data, not a subschema. */
export const DATA_KEYWORDS = new Set(['default', 'examples', 'enum', 'const']);

/** Keywords whose failure leaves the errors of the subschemas ajv tried in front of their own error. */
const COMPOUND = new Set(['anyOf', 'oneOf', 'contains']);

/** One error per anyOf/oneOf/contains/propertyNames failure instead of one per branch; if/then's own error dropped (the then errors say it). */
function collapse(errors: ErrorObject[], root: JsonObject): Collapsed[] {
  const kept: Collapsed[] = [];
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    if (error.keyword === 'propertyNames') {
      const inner: ErrorObject[] = [];
      const name = (error.params as { propertyName?: unknown }).propertyName;
      while (kept.length > 0 && kept.at(-1)?.error.propertyName === name && kept.at(-1)?.error.instancePath === error.instancePath) {
        inner.unshift((kept.pop() as Collapsed).error);
      }
      kept.push({ error, inner });
      continue;
    }
    if (!COMPOUND.has(error.keyword)) {
      kept.push({ error });
      continue;
    }
    const branchSchemas = error.keyword === 'contains' ? [error.schema] : Array.isArray(error.schema) ? error.schema : [];
    const reach = branchSchemas.map((s) => reachable(s, root));
    const branches: ErrorObject[][] = branchSchemas.map(() => []);
    for (let last = kept.at(-1); last !== undefined; last = kept.at(-1)) {
      const owner = reach.findIndex((set) => set.has(last.error.parentSchema));
      if (owner < 0 || !within(last.error.instancePath, error.instancePath)) break;
      kept.pop();
      branches[owner]?.unshift(last.error);
    }
    kept.push({ error, branches });
  }
  return kept;
}

function within(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

const reachCache = new WeakMap<object, Set<unknown>>();

/** Every schema object a subschema can hand validation to, following local `$ref`s. */
function reachable(schema: unknown, root: JsonObject): Set<unknown> {
  if (!isObject(schema)) return new Set();
  const cached = reachCache.get(schema);
  if (cached) return cached;
  const seen = new Set<unknown>();
  const stack: unknown[] = [schema];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    if (!isObject(node) || seen.has(node)) continue;
    seen.add(node);
    if (typeof node.$ref === 'string') stack.push(resolvePointer(root, node.$ref));
    for (const [key, child] of Object.entries(node)) if (!DATA_KEYWORDS.has(key)) stack.push(child);
  }
  reachCache.set(schema, seen);
  return seen;
}

function resolvePointer(root: JsonObject, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    node = isObject(node) ? getOwn(node, key) : Array.isArray(node) ? node[Number(key)] : undefined;
  }
  return node;
}

/** Parents before children, siblings in the order their keys appear; a missing (required) field after its present siblings. */
function sortByDocument(violations: SchemaViolation[], data: unknown): SchemaViolation[] {
  // Each mapping's key order is indexed once: a search per comparison made thousands of unknown keys quadratic.
  const keyOrder = new WeakMap<object, Map<string, number>>();
  const position = (node: unknown, segment: PathSegment): number => {
    if (typeof segment === 'number') return segment;
    if (!isObject(node)) return Number.MAX_SAFE_INTEGER;
    let order = keyOrder.get(node);
    if (!order) keyOrder.set(node, (order = new Map(Object.keys(node).map((key, index) => [key, index]))));
    return order.get(segment) ?? Number.MAX_SAFE_INTEGER;
  };
  const compare = (a: PathSegment[], b: PathSegment[]): number => {
    let node = data;
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const [x, y] = [a[i] as PathSegment, b[i] as PathSegment];
      if (x !== y) return position(node, x) - position(node, y);
      node = typeof x === 'number' ? (Array.isArray(node) ? node[x] : undefined) : isObject(node) ? getOwn(node, x) : undefined;
    }
    return a.length - b.length;
  };
  return violations.sort((v, w) => compare(v.path, w.path));
}
