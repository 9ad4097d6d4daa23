import { createHash } from 'node:crypto';
import { Ajv } from 'ajv';
import { isObject, type JsonObject } from '../core/json.ts';
import { DATA_KEYWORDS, violationsOf } from './json-schema-errors.ts';
import { JSON_SCHEMA_OPTIONS } from './json-schema-options.ts';
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
 * returns violations in document order. Throws when the schema itself is not a valid draft-07 schema. fsm-gitops's
 * own constant schemas are not compiled here: scripts/build-schemas.ts turns them into code (src/schema/compiled).
 */
export function compileJsonSchema(schema: JsonObject): JsonSchemaValidator {
  let validator = byObject.get(schema);
  if (validator !== undefined) return validator;
  const key = createHash('sha256').update(JSON.stringify(schema)).digest('hex');
  validator = byContent.get(key) ?? compile(schema);
  byContent.delete(key);
  byContent.set(key, validator);
  if (byContent.size > CONTENT_CACHE_SIZE) byContent.delete(byContent.keys().next().value!);
  byObject.set(schema, validator);
  return validator;
}

// ajv's errors may quote the schema, which comes from the cluster: they leave through the redacted log path.
const quietLogger = { log() {}, warn() {}, error: (...args: unknown[]) => writeLogLine(`fsm-gitops: schema compiler: ${args.map(String).join(' ')}`, 'stderr') };

function compile(schema: JsonObject): JsonSchemaValidator {
  const root = prepare(schema);
  const ajv = new Ajv({ ...JSON_SCHEMA_OPTIONS, logger: quietLogger });
  const validate = ajv.compile(root);
  return (value) => (validate(value) ? [] : violationsOf(validate.errors ?? [], root, value));
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

