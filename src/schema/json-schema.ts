import { createHash } from 'node:crypto';
import { Ajv, type ErrorObject } from 'ajv';
import { getOwn, isObject, type JsonObject, type PathSegment } from '../core/json.ts';
import { toViolation, type Collapsed } from './json-schema-messages.ts';
import { isDateTime, isHostname, isIPv4Address, isIPv6Address } from './openapi-formats.ts';
import type { SchemaViolation } from './violation.ts';
import { writeLogLine } from '../redact/redacting-log.ts';

export type JsonSchemaValidator = (value: unknown) => SchemaViolation[];

const byObject = new WeakMap<JsonObject, JsonSchemaValidator>();
/** By content (SHA-256 of the JSON), newest last: every plan of a chart version reads its schema anew from the release. */
const byContent = new Map<string, JsonSchemaValidator>();
/** Schemas kept compiled by content: the chart versions a process plans against at once. */
const CONTENT_CACHE_SIZE = 8;

/**
 * Compiles a draft-07 JSON Schema (a chart's values.schema.json) once per process: per schema object, and
 * per content, so the same chart's schema read from another release (every plan reads it anew) is not
 * compiled again (about a second for FSM's chart). The validator never coerces or fills in defaults, and
 * returns violations in document order. Throws when the schema itself is not a valid draft-07 schema.
 */
export function compileJsonSchema(schema: JsonObject): JsonSchemaValidator {
  return compileOnce(schema, true);
}

function compileOnce(schema: JsonObject, checkSchema: boolean): JsonSchemaValidator {
  let validator = byObject.get(schema);
  if (validator !== undefined) return validator;
  const key = createHash('sha256').update(JSON.stringify(schema)).digest('hex');
  validator = byContent.get(key) ?? compile(schema, checkSchema);
  byContent.delete(key);
  byContent.set(key, validator);
  if (byContent.size > CONTENT_CACHE_SIZE) byContent.delete(byContent.keys().next().value!);
  byObject.set(schema, validator);
  return validator;
}

/** The schemas given to lazyJsonSchema: fsm-gitops's own, each checked against draft-07's meta-schema by test/schema/own-schemas.test.ts. */
export const OWN_SCHEMAS: JsonObject[] = [];

/**
 * compileJsonSchema deferred to the first validation: for a module's own constant schema, so importing the
 * module (the CLI's `--version`, a command that never reads that file) does not pay for ajv's compile. The
 * schema is not checked against draft-07's meta-schema at run time (compiling the meta-schema was half of
 * compiling the repository config's): the tests check every such schema (OWN_SCHEMAS).
 */
export function lazyJsonSchema(schema: JsonObject): JsonSchemaValidator {
  OWN_SCHEMAS.push(schema);
  let validator: JsonSchemaValidator | undefined;
  return (value) => (validator ??= compileOnce(schema, false))(value);
}

// Draft-07 formats that kube-style values use; any other format is ignored, as draft-07 allows.
const FORMATS = { 'date-time': isDateTime, ipv4: isIPv4Address, ipv6: isIPv6Address, hostname: isHostname };

/** Patterns JavaScript cannot compile (Go's RE2 accepts some) are skipped rather than failing the whole schema. */
const lenientRegExp = Object.assign(
  (pattern: string, flags: string): { test(text: string): boolean } => {
    try {
      return new RegExp(pattern, flags);
    } catch {
      return { test: () => true };
    }
  },
  { code: 'lenientRegExp' },
);

// ajv's errors may quote the schema, which comes from the cluster: they leave through the redacted log path.
const quietLogger = { log() {}, warn() {}, error: (...args: unknown[]) => writeLogLine(`fsm-gitops: schema compiler: ${args.map(String).join(' ')}`, 'stderr') };

/** checkSchema: whether ajv checks the schema against draft-07's meta-schema first (throwing when it is not valid). */
function compile(schema: JsonObject, checkSchema: boolean): JsonSchemaValidator {
  const root = prepare(schema);
  // No code optimisation: it is half of compiling FSM's chart schema, and a values file is validated once.
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, validateSchema: checkSchema, logger: quietLogger, formats: FORMATS, code: { regExp: lenientRegExp, optimize: false } });
  const validate = ajv.compile(root);
  return (value) => {
    if (validate(value)) return [];
    const violations = collapse(validate.errors ?? [], root).map((error) => toViolation(error, value));
    return sortByDocument(violations, value);
  };
}

/**
 * A deep copy without fragment `$id`s. Chart schemas made with generators such as jsonschema.net carry `$id`s such as
 * "#/properties/fsm/properties/preinstall" that repeat (copy-paste) or do not match their location; draft-07
 * only allows plain-name fragments ("#foo") there and resolves "#/…" `$ref`s as JSON pointers, so dropping
 * them changes nothing except ajv's "resolves to more than one schema" error. A plain-name `$id` that a
 * `$ref` uses is kept.
 */
function prepare(schema: JsonObject): JsonObject {
  const root = structuredClone(schema);
  const nodes: JsonObject[] = [];
  const refs = new Set<string>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...node);
    if (!isObject(node)) continue;
    nodes.push(node);
    if (typeof node.$ref === 'string') refs.add(node.$ref);
    for (const [key, child] of Object.entries(node)) if (!DATA_KEYWORDS.has(key)) stack.push(child);
  }
  for (const node of nodes) {
    const id = node.$id;
    if (typeof id === 'string' && id.startsWith('#') && !(refs.has(id) && !id.includes('/'))) delete node.$id;
  }
  // Only draft-07 is built in; other drafts mostly share its keywords, which beats refusing the chart.
  if (typeof root.$schema === 'string' && !/^https?:\/\/json-schema\.org\/draft-07\/schema#?$/.test(root.$schema)) delete root.$schema;
  return root;
}

const DATA_KEYWORDS = new Set(['default', 'examples', 'enum', 'const']);

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
  const position = (node: unknown, segment: PathSegment): number => {
    if (typeof segment === 'number') return segment;
    const index = isObject(node) ? Object.keys(node).indexOf(segment) : -1;
    return index < 0 ? Number.MAX_SAFE_INTEGER : index;
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
