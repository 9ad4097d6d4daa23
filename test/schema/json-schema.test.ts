import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import { isObject, type JsonObject } from '../../src/core/json.ts';
import { compileJsonSchema } from '../../src/schema/json-schema.ts';
import type { SchemaViolation } from '../../src/schema/violation.ts';

const reference = (name: string) => readFileSync(new URL(`../fixtures/fsm-reference/${name}`, import.meta.url), 'utf8');
const chartSchema = JSON.parse(reference('values.schema.json')) as JsonObject;
const chartValues = (): JsonObject => {
  const values = load(reference('values.yaml'));
  assert.ok(isObject(values));
  return values;
};
const section = (values: JsonObject, ...path: string[]): JsonObject => {
  let node: unknown = values;
  for (const key of path) node = isObject(node) ? node[key] : undefined;
  assert.ok(isObject(node), path.join('.'));
  return node;
};
const brief = (violations: SchemaViolation[]) => violations.map((v) => [v.code, v.path.join('.')]);

describe('compileJsonSchema: the FSM chart values.schema.json', () => {
  const validate = compileJsonSchema(chartSchema);

  it("compiles despite the schema's duplicated fragment $ids and accepts the chart's own values.yaml", () => {
    assert.deepEqual(validate(chartValues()), []);
  });

  it('does not modify the schema it was given', () => {
    const features = section(chartSchema, 'properties', 'fsm', 'properties', 'featureFlags', 'properties');
    assert.equal(section(features, 'enableValidateTLSRouteHostnames').$id, '#/properties/fsm/properties/featureFlags/properties/enableValidateGRPCRouteHostnames');
  });

  it('a wrong type at fsm.fsmController.replicaCount', () => {
    const values = chartValues();
    section(values, 'fsm', 'fsmController').replicaCount = 'two';
    assert.deepEqual(validate(values), [
      { code: 'schema-type', path: ['fsm', 'fsmController', 'replicaCount'], message: 'expected integer, got string "two"' },
    ]);
  });

  it('an enum violation at fsm.trafficInterceptionMode lists the allowed values', () => {
    const values = chartValues();
    section(values, 'fsm').trafficInterceptionMode = 'podlevel';
    assert.deepEqual(validate(values), [
      {
        code: 'schema-enum',
        path: ['fsm', 'trafficInterceptionMode'],
        message: 'must be one of "NodeLevel", "PodLevel"; got "podlevel" (did you mean "PodLevel"?)',
      },
    ]);
  });

  it('a typo under a section with additionalProperties false', () => {
    const values = chartValues();
    section(values, 'fsm', 'fsmController').replicaCont = 2;
    assert.deepEqual(validate(values), [
      {
        code: 'schema-unknown-field',
        path: ['fsm', 'fsmController', 'replicaCont'],
        message: 'unknown field "replicaCont": the schema does not allow it (did you mean "replicaCount"?)',
      },
    ]);
  });

  it('follows $ref into the shared definitions, reports required and constraint violations, in document order', () => {
    const values = chartValues();
    section(values, 'fsm', 'fsmController').resource = { limits: { cpu: '1' } };
    section(values, 'fsm', 'fsmController', 'autoScale').maxReplicas = 20;
    section(values, 'fsm', 'sidecar').sidecarLogLevel = 'verbose';
    const violations = validate(values);
    assert.deepEqual(brief(violations), [
      ['schema-constraint', 'fsm.sidecar.sidecarLogLevel'],
      ['schema-required', 'fsm.fsmController.resource.limits.memory'],
      ['schema-required', 'fsm.fsmController.resource.requests'],
      ['schema-constraint', 'fsm.fsmController.autoScale.maxReplicas'],
    ]);
    assert.equal(violations[3]?.message, 'must be at most 10, got 20');
  });

  it('compiles once per schema content: the same chart schema read again from another release is not compiled again', () => {
    assert.equal(compileJsonSchema(chartSchema), validate);
    assert.equal(compileJsonSchema(structuredClone(chartSchema)), validate);
    const changed = { ...structuredClone(chartSchema), description: 'another chart version' };
    assert.notEqual(compileJsonSchema(changed), validate);
  });
});

describe('compileJsonSchema: mapping ajv errors', () => {
  it('does not coerce and does not fill in defaults', () => {
    const validate = compileJsonSchema({ type: 'object', properties: { n: { type: 'integer' }, d: { type: 'string', default: 'x' } } });
    const value = { n: '1' };
    assert.deepEqual(brief(validate(value)), [['schema-type', 'n']]);
    assert.deepEqual(value, { n: '1' });
  });

  it('readable constraint messages', () => {
    const validate = compileJsonSchema({
      type: 'object',
      properties: {
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        name: { type: 'string', maxLength: 3, pattern: '^[a-z]+$' },
        list: { type: 'array', minItems: 1, uniqueItems: true },
        version: { const: 1 },
        at: { type: 'string', format: 'date-time' },
        host: { type: 'string', format: 'hostname' },
        mail: { type: 'string', format: 'email' },
      },
    });
    const violations = validate({ port: 0, name: 'ABCD', list: [], version: 2, at: 'yesterday', host: '-x-', mail: 'nope' });
    assert.deepEqual(
      violations.map((v) => [v.path.join('.'), v.message]),
      [
        ['port', 'must be at least 1, got 0'],
        ['name', 'must be at most 3 characters long, got 4'],
        ['name', 'must match the pattern ^[a-z]+$, got "ABCD"'],
        ['list', 'must have at least 1 item, got 0'],
        ['version', 'must be 1; got 2'],
        ['at', 'must be an RFC 3339 date-time such as "2024-05-01T12:00:00Z", got "yesterday"'],
        ['host', 'must be an RFC 1123 host name, got "-x-"'],
      ],
    );
    assert.equal(violations.find((v) => v.path[0] === 'version')?.code, 'schema-enum');
  });

  it('array indexes become numbers, uniqueItems points at the repeat', () => {
    const validate = compileJsonSchema({ type: 'object', properties: { 'a/b': { type: 'array', uniqueItems: true, items: { type: 'string' } } } });
    assert.deepEqual(validate({ 'a/b': ['x', 1, 'x'] }), [
      { code: 'schema-type', path: ['a/b', 1], message: 'expected string, got integer 1' },
      { code: 'schema-constraint', path: ['a/b', 2], message: 'duplicate item: the same value as item [0], and items must be unique' },
    ]);
  });

  it('collapses anyOf and oneOf branches into one violation', () => {
    const validate = compileJsonSchema({
      definitions: { port: { type: 'integer', minimum: 1 } },
      type: 'object',
      properties: {
        intOrString: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
        shape: { oneOf: [{ $ref: '#/definitions/port' }, { type: 'string', enum: ['http'] }] },
        both: { oneOf: [{ type: 'integer' }, { type: 'number' }] },
      },
    });
    assert.deepEqual(validate({ intOrString: true, shape: 0, both: 1 }), [
      { code: 'schema-type', path: ['intOrString'], message: 'expected integer or string, got boolean true' },
      { code: 'schema-constraint', path: ['shape'], message: 'matches none of the allowed shapes (must be at least 1, got 0; or expected string, got integer 0)' },
      { code: 'schema-constraint', path: ['both'], message: 'matches more than one of the allowed shapes (0 and 1); exactly one must match' },
    ]);
  });

  it('if/then reports what then requires, without an extra "must match then" violation', () => {
    const validate = compileJsonSchema({
      type: 'object',
      properties: { tls: { type: 'object', if: { properties: { enabled: { const: true } } }, then: { required: ['secretName'] } } },
    });
    assert.deepEqual(validate({ tls: { enabled: false } }), []);
    assert.deepEqual(validate({ tls: { enabled: true } }), [
      { code: 'schema-required', path: ['tls', 'secretName'], message: 'required field "secretName" is missing' },
    ]);
  });

  it('propertyNames: one violation per bad key, at the key', () => {
    const validate = compileJsonSchema({ type: 'object', propertyNames: { pattern: '^[a-z-]+$', maxLength: 5 } });
    assert.deepEqual(validate({ ok: 1, Staging: 2 }), [
      {
        code: 'schema-constraint',
        path: ['Staging'],
        message: 'invalid key "Staging": must be at most 5 characters long, got 7; must match the pattern ^[a-z-]+$, got "Staging"',
      },
    ]);
  });

  it('keeps plain-name $id anchors that a $ref uses', () => {
    const validate = compileJsonSchema({ definitions: { port: { $id: '#port', type: 'integer' } }, properties: { p: { $ref: '#port' } } });
    assert.deepEqual(brief(validate({ p: 'x' })), [['schema-type', 'p']]);
  });

  it('skips patterns JavaScript cannot compile', () => {
    const validate = compileJsonSchema({ type: 'string', pattern: '(?i)^abc$' });
    assert.deepEqual(validate('anything'), []);
  });
});
