import { deepEqual, isObject, type JsonObject, type PathSegment } from '../core/json.ts';
import { plural } from '../core/plural.ts';
import { describeValue, listLiterals, literal, quote } from './describe.ts';
import { INTEGER_FORMATS, STRING_FORMATS } from './openapi-formats.ts';
import { didYouMeanNote as didYouMean } from '../core/did-you-mean.ts';
import type { SchemaViolation, SchemaViolationCode } from './violation.ts';

const MAX_DEPTH = 200;
const MAX_BRANCHES_SHOWN = 3;

interface Walk {
  out: SchemaViolation[];
  /**
   * False inside allOf/anyOf/oneOf/not branches, whose `properties` need not list every field
   * (the API server prunes by the structural schema only), and inside ObjectMeta.
   */
  reportUnknown: boolean;
}

type Report = (code: SchemaViolationCode, message: string, at?: PathSegment[]) => void;

/**
 * Validates `value` against a CRD's structural openAPIV3Schema the way kube-apiserver does, and also reports
 * the fields it would silently prune. Violations come in document order; paths start with `basePath`.
 */
export function validateOpenApi(schema: JsonObject, value: unknown, basePath: PathSegment[] = []): SchemaViolation[] {
  const walk: Walk = { out: [], reportUnknown: true };
  visit(schema, value, [...basePath], walk, 0, undefined);
  return walk.out;
}

/** `structural` is the schema a branch belongs to: its property defaults still apply. */
function visit(schema: unknown, value: unknown, path: PathSegment[], walk: Walk, depth: number, structural: JsonObject | undefined): void {
  if (!isObject(schema) || depth > MAX_DEPTH) return;
  const report: Report = (code, message, at = path) => walk.out.push({ code, path: at, message });
  if (!checkType(schema, value, report) || value === null) return;
  checkEnum(schema, value, report);
  if (typeof value === 'number') checkNumber(schema, value, report);
  else if (typeof value === 'string') checkString(schema, value, report);
  if (hasBranches(schema)) checkBranches(schema, value, path, walk, depth, report);
  if (Array.isArray(value)) visitArray(schema, value, path, walk, depth, report);
  else if (isObject(value)) visitObject(schema, value, path, walk, depth, structural, report);
}

function checkType(schema: JsonObject, value: unknown, report: Report): boolean {
  const expected = schema['x-kubernetes-int-or-string'] === true ? ['integer', 'string'] : typeof schema.type === 'string' ? [schema.type] : [];
  if (expected.length === 0 || (value === null && schema.nullable === true)) return true;
  if (value !== null && expected.some((type) => hasType(type, value))) return true;
  report('schema-type', `expected ${expected.join(' or ')}, got ${describeValue(value)}`);
  return false;
}

function hasType(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return true;
  }
}

function checkEnum(schema: JsonObject, value: unknown, report: Report): void {
  const allowed = schema.enum;
  if (!Array.isArray(allowed) || allowed.some((option) => deepEqual(option, value))) return;
  const hint = typeof value === 'string' ? didYouMean(value, allowed.filter((o) => typeof o === 'string')) : '';
  report('schema-enum', `must be one of ${listLiterals(allowed)}; got ${literal(value)}${hint}`);
}

function checkNumber(schema: JsonObject, n: number, report: Report): void {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, format } = schema;
  if (typeof minimum === 'number') {
    const exclusive = exclusiveMinimum === true;
    if (exclusive ? n <= minimum : n < minimum) report('schema-constraint', `must be ${exclusive ? 'greater than' : 'at least'} ${minimum}, got ${n}`);
  }
  if (typeof maximum === 'number') {
    const exclusive = exclusiveMaximum === true;
    if (exclusive ? n >= maximum : n > maximum) report('schema-constraint', `must be ${exclusive ? 'less than' : 'at most'} ${maximum}, got ${n}`);
  }
  // JSON Schema draft 6+ spelling, in case a generator emits it.
  if (typeof exclusiveMinimum === 'number' && n <= exclusiveMinimum) report('schema-constraint', `must be greater than ${exclusiveMinimum}, got ${n}`);
  if (typeof exclusiveMaximum === 'number' && n >= exclusiveMaximum) report('schema-constraint', `must be less than ${exclusiveMaximum}, got ${n}`);
  if (typeof multipleOf === 'number' && multipleOf > 0 && !isMultiple(n, multipleOf)) {
    report('schema-constraint', `must be a multiple of ${multipleOf}, got ${n}`);
  }
  const range = typeof format === 'string' && Object.hasOwn(INTEGER_FORMATS, format) ? INTEGER_FORMATS[format] : undefined;
  if (range !== undefined && !(n >= range.min && n < range.maxExclusive)) report('schema-constraint', `must be ${range.expected}, got ${n}`);
}

function isMultiple(n: number, divisor: number): boolean {
  const quotient = n / divisor;
  return Math.abs(quotient - Math.round(quotient)) <= 1e-9 * Math.max(1, Math.abs(quotient));
}

const patternCache = new Map<string, RegExp | null>();

function compilePattern(pattern: string): RegExp | null {
  let compiled = patternCache.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = new RegExp(pattern, 'u');
    } catch {
      compiled = null; // RE2 syntax JavaScript does not know: skip rather than guess
    }
    patternCache.set(pattern, compiled);
  }
  return compiled;
}

function checkString(schema: JsonObject, s: string, report: Report): void {
  const { minLength, maxLength, pattern, format } = schema;
  if (typeof minLength === 'number' || typeof maxLength === 'number') {
    const length = [...s].length;
    if (typeof minLength === 'number' && length < minLength) {
      report('schema-constraint', `must be at least ${plural(minLength, 'character')} long, got ${length}`);
    }
    if (typeof maxLength === 'number' && length > maxLength) {
      report('schema-constraint', `must be at most ${plural(maxLength, 'character')} long, got ${length}`);
    }
  }
  if (typeof pattern === 'string' && compilePattern(pattern)?.test(s) === false) {
    report('schema-constraint', `must match the pattern ${pattern}, got ${quote(s)}`);
  }
  const known = typeof format === 'string' && Object.hasOwn(STRING_FORMATS, format) ? STRING_FORMATS[format] : undefined;
  if (known !== undefined && !known.test(s)) report('schema-constraint', `must be ${known.expected}, got ${quote(s)}`);
}

/** Whether checkBranches has anything to check: most schema nodes have no allOf, anyOf, oneOf or not. */
function hasBranches(schema: JsonObject): boolean {
  return schema.allOf !== undefined || schema.anyOf !== undefined || schema.oneOf !== undefined || schema.not !== undefined;
}

function checkBranches(schema: JsonObject, value: unknown, path: PathSegment[], walk: Walk, depth: number, report: Report): void {
  const branch = (sub: unknown): SchemaViolation[] => {
    const inner: Walk = { out: [], reportUnknown: false };
    visit(sub, value, path, inner, depth, schema);
    return inner.out;
  };
  if (Array.isArray(schema.allOf)) for (const sub of schema.allOf) walk.out.push(...branch(sub));
  // Like the API server, oneOf is only checked for "at least one": CRDs use it for "one of these fields is set".
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const subs = schema[keyword];
    if (!Array.isArray(subs) || subs.length === 0) continue;
    const results = subs.map(branch);
    if (results.some((r) => r.length === 0)) continue;
    const reasons = results.slice(0, MAX_BRANCHES_SHOWN).map((r) => r[0]?.message ?? '');
    if (results.length > MAX_BRANCHES_SHOWN) reasons.push('…');
    report('schema-constraint', `matches none of the allowed shapes (${reasons.join('; or ')})`);
  }
  if (schema.not !== undefined && isObject(schema.not) && branch(schema.not).length === 0) {
    report('schema-constraint', 'matches a shape that is not allowed here ("not")');
  }
}

function visitArray(schema: JsonObject, items: unknown[], path: PathSegment[], walk: Walk, depth: number, report: Report): void {
  const { minItems, maxItems } = schema;
  if (typeof minItems === 'number' && items.length < minItems) report('schema-constraint', `must have at least ${plural(minItems, 'item')}, got ${items.length}`);
  if (typeof maxItems === 'number' && items.length > maxItems) report('schema-constraint', `must have at most ${plural(maxItems, 'item')}, got ${items.length}`);
  const duplicates = findDuplicates(schema, items);
  items.forEach((item, i) => {
    const duplicate = duplicates.get(i);
    if (duplicate !== undefined) report('schema-list-key-duplicate', duplicate, [...path, i]);
    visit(schema.items, item, [...path, i], walk, depth + 1, undefined);
  });
}

/** Messages by item index for the items whose key (list-type map) or value (list-type set) repeats an earlier one. */
function findDuplicates(schema: JsonObject, items: unknown[]): Map<number, string> {
  const duplicates = new Map<number, string>();
  const listType = schema['x-kubernetes-list-type'];
  const rawKeys = schema['x-kubernetes-list-map-keys'];
  const keys = Array.isArray(rawKeys) ? rawKeys.filter((k) => typeof k === 'string') : [];
  if (listType !== 'set' && (listType !== 'map' || keys.length === 0)) return duplicates;
  const itemProperties = isObject(schema.items) && isObject(schema.items.properties) ? schema.items.properties : {};
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    let tuple: unknown[];
    if (listType === 'set') tuple = [item];
    else if (isObject(item)) tuple = keys.map((k) => (Object.hasOwn(item, k) ? item[k] : defaultOf(itemProperties[k])));
    else return;
    const identity = canonical(tuple, 0);
    const first = seen.get(identity);
    if (first === undefined) {
      seen.set(identity, i);
    } else if (listType === 'set') {
      duplicates.set(i, `duplicate item ${literal(item)}: item [${first}] has the same value and this list is a set`);
    } else {
      const shown = keys.map((k, j) => `${k}=${tuple[j] === undefined ? '(missing)' : literal(tuple[j])}`).join(', ');
      duplicates.set(i, `duplicate entry ${shown}: item [${first}] has the same key (the list is keyed by ${keys.join(', ')})`);
    }
  });
  return duplicates;
}

let uniqueIdentities = 0;

/** Key order-independent identity of a value, for duplicate detection. */
function canonical(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) return `#${uniqueIdentities++}`; // absurdly deep: treat as unique rather than overflow the stack
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, depth + 1)).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k], depth + 1)}`).join(',')}}`;
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function defaultOf(schema: unknown): unknown {
  return isObject(schema) ? schema.default : undefined;
}

function visitObject(
  schema: JsonObject,
  value: JsonObject,
  path: PathSegment[],
  walk: Walk,
  depth: number,
  structural: JsonObject | undefined,
  report: Report,
): void {
  const { minProperties, maxProperties, additionalProperties: additional } = schema;
  const count = Object.keys(value).length;
  if (typeof minProperties === 'number' && count < minProperties) report('schema-constraint', `must have at least ${plural(minProperties, 'field')}, got ${count}`);
  if (typeof maxProperties === 'number' && count > maxProperties) report('schema-constraint', `must have at most ${plural(maxProperties, 'field')}, got ${count}`);

  const properties = isObject(schema.properties) ? schema.properties : undefined;
  const structuralProperties = structural !== undefined && isObject(structural.properties) ? structural.properties : undefined;
  if (Array.isArray(schema.required)) {
    for (const name of schema.required) {
      if (typeof name !== 'string' || Object.hasOwn(value, name)) continue;
      // The API server applies defaults before it validates, so a defaulted field is never missing.
      if (defaultOf(properties?.[name]) !== undefined || defaultOf(structuralProperties?.[name]) !== undefined) continue;
      report('schema-required', `required field ${JSON.stringify(name)} is missing`, [...path, name]);
    }
  }

  const closed =
    walk.reportUnknown &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true &&
    additional !== true &&
    !isObject(additional) &&
    (schema.type === 'object' || properties !== undefined || additional === false);
  const holdsMetadata = depth === 0 || schema['x-kubernetes-embedded-resource'] === true;
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, key];
    const known = properties !== undefined && Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (known !== undefined) {
      // CRDs declare metadata as a bare {type: object}; the API server validates ObjectMeta itself, and so does
      // object-meta.ts (the metadata rule) for a manifest's own metadata. An embedded resource's is not checked.
      const objectMeta = holdsMetadata && key === 'metadata' && isObject(known) && known.properties === undefined && known.additionalProperties === undefined;
      visit(known, child, childPath, objectMeta ? { out: walk.out, reportUnknown: false } : walk, depth + 1, undefined);
    } else if (isObject(additional)) {
      visit(additional, child, childPath, walk, depth + 1, undefined);
    } else if (closed) {
      const hint = didYouMean(key, Object.keys(properties ?? {}));
      report('schema-unknown-field', `unknown field ${quote(key)}: the API server would silently drop it${hint}`, childPath);
    }
  }
}
