import type { ErrorObject } from 'ajv';
import { isObject, pathFromPointer, type PathSegment } from '../core/json.ts';
import { plural } from '../core/plural.ts';
import { describeValue, listLiterals, literal, quote } from './describe.ts';
import { STRING_FORMATS } from './openapi-formats.ts';
import { didYouMeanNote as didYouMean } from '../core/did-you-mean.ts';
import type { SchemaViolation } from './violation.ts';

/** An ajv error after json-schema.ts has folded the errors of the subschemas it tried into it. */
export interface Collapsed {
  error: ErrorObject;
  /** For a compound keyword: per branch, the errors that branch produced. */
  branches?: ErrorObject[][];
  /** For propertyNames: what is wrong with the key. */
  inner?: ErrorObject[];
}

export function toViolation({ error, branches, inner }: Collapsed, data: unknown): SchemaViolation {
  const path = pathFromPointer(error.instancePath, data);
  const params = error.params as Record<string, unknown>;
  const value: unknown = error.data;
  switch (error.keyword) {
    case 'type':
      return { code: 'schema-type', path, message: `expected ${String(params.type).split(',').join(' or ')}, got ${describeValue(value)}` };
    case 'required':
      return { code: 'schema-required', path: [...path, String(params.missingProperty)], message: `required field ${JSON.stringify(params.missingProperty)} is missing` };
    case 'enum':
    case 'const': {
      const allowed = error.keyword === 'enum' && Array.isArray(params.allowedValues) ? params.allowedValues : [params.allowedValue];
      const hint = typeof value === 'string' ? didYouMean(value, allowed.filter((a) => typeof a === 'string')) : '';
      const expected = allowed.length === 1 ? literal(allowed[0]) : `one of ${listLiterals(allowed)}`;
      return { code: 'schema-enum', path, message: `must be ${expected}; got ${literal(value)}${hint}` };
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const properties = isObject(error.parentSchema) && isObject(error.parentSchema.properties) ? Object.keys(error.parentSchema.properties) : [];
      return { code: 'schema-unknown-field', path: [...path, key], message: `unknown field ${quote(key)}: the schema does not allow it${didYouMean(key, properties)}` };
    }
    case 'propertyNames': {
      const key = String(params.propertyName);
      const why = (inner ?? []).map((e) => constraintMessage(e, key)).join('; ');
      return { code: 'schema-constraint', path: [...path, key], message: `invalid key ${quote(key)}${why === '' ? '' : `: ${why}`}` };
    }
    case 'anyOf':
    case 'oneOf':
      return compoundViolation(error, branches ?? [], path, data);
    case 'uniqueItems': {
      const [first, second] = [Number(params.j), Number(params.i)].sort((a, b) => a - b);
      return { code: 'schema-constraint', path: [...path, second ?? 0], message: `duplicate item: the same value as item [${first}], and items must be unique` };
    }
    case 'dependencies':
      return { code: 'schema-constraint', path: [...path, String(params.missingProperty)], message: `field ${JSON.stringify(params.missingProperty)} is required when ${JSON.stringify(params.property)} is set` };
    default:
      return { code: 'schema-constraint', path, message: constraintMessage(error, value) };
  }
}

function compoundViolation(error: ErrorObject, branches: ErrorObject[][], path: PathSegment[], data: unknown): SchemaViolation {
  const passing = (error.params as { passingSchemas?: unknown }).passingSchemas;
  if (Array.isArray(passing)) {
    return { code: 'schema-constraint', path, message: `matches more than one of the allowed shapes (${passing.join(' and ')}); exactly one must match` };
  }
  const own = branches.flat();
  const atHere = own.every((e) => e.instancePath === error.instancePath);
  if (own.length > 0 && atHere && own.every((e) => e.keyword === 'type')) {
    const types = [...new Set(own.flatMap((e) => String(e.params.type).split(',')))];
    return { code: 'schema-type', path, message: `expected ${types.join(' or ')}, got ${describeValue(error.data)}` };
  }
  const reasons = branches.slice(0, 3).map((b) => (b[0] === undefined ? '' : toViolation({ error: b[0] }, data).message));
  if (branches.length > 3) reasons.push('…');
  return { code: 'schema-constraint', path, message: `matches none of the allowed shapes (${reasons.join('; or ')})` };
}

function constraintMessage(error: ErrorObject, value: unknown): string {
  const params = error.params as Record<string, unknown>;
  const limit = Number(params.limit);
  const got = typeof value === 'string' ? quote(value) : literal(value);
  switch (error.keyword) {
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = { '>=': 'at least', '<=': 'at most', '>': 'greater than', '<': 'less than' };
      return `must be ${words[String(params.comparison)] ?? String(params.comparison)} ${limit}, got ${got}`;
    }
    case 'multipleOf':
      return `must be a multiple of ${String(params.multipleOf)}, got ${got}`;
    case 'minLength':
      return `must be at least ${plural(limit, 'character')} long, got ${typeof value === 'string' ? [...value].length : got}`;
    case 'maxLength':
      return `must be at most ${plural(limit, 'character')} long, got ${typeof value === 'string' ? [...value].length : got}`;
    case 'pattern':
      return `must match the pattern ${String(params.pattern)}, got ${got}`;
    case 'format': {
      const format = String(params.format);
      return `must be ${STRING_FORMATS[format]?.expected ?? `a valid ${format}`}, got ${got}`;
    }
    case 'minItems':
      return `must have at least ${plural(limit, 'item')}, got ${Array.isArray(value) ? value.length : got}`;
    case 'maxItems':
    case 'additionalItems':
      return `must have at most ${plural(limit, 'item')}, got ${Array.isArray(value) ? value.length : got}`;
    case 'minProperties':
      return `must have at least ${plural(limit, 'field')}, got ${isObject(value) ? Object.keys(value).length : got}`;
    case 'maxProperties':
      return `must have at most ${plural(limit, 'field')}, got ${isObject(value) ? Object.keys(value).length : got}`;
    case 'contains':
      return `must contain at least ${plural(Number(params.minContains ?? 1), 'item')} matching the item schema`;
    case 'not':
      return 'matches a shape that is not allowed here ("not")';
    case 'false schema':
      return 'no value is allowed here';
    default:
      return error.message ?? `fails "${error.keyword}"`;
  }
}
