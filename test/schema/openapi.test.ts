import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadAll } from 'js-yaml';
import { isObject, type JsonObject, type JsonValue } from '../../src/core/json.ts';
import { validateOpenApi } from '../../src/schema/openapi.ts';
import type { SchemaViolation } from '../../src/schema/violation.ts';

const codes = (violations: SchemaViolation[]) => violations.map((v) => v.code);
const check = (schema: JsonObject, value: unknown) => validateOpenApi(schema, value);

describe('validateOpenApi: types', () => {
  it('accepts each type and rejects the others with the value shown', () => {
    assert.deepEqual(check({ type: 'integer' }, 3), []);
    assert.deepEqual(check({ type: 'number' }, 3.5), []);
    assert.deepEqual(check({ type: 'number' }, 3), []);
    assert.deepEqual(check({ type: 'boolean' }, false), []);
    assert.deepEqual(check({ type: 'array' }, []), []);
    assert.deepEqual(check({ type: 'object' }, {}), []);
    assert.deepEqual(check({ type: 'integer' }, 'abc'), [{ code: 'schema-type', path: [], message: 'expected integer, got string "abc"' }]);
    assert.equal(check({ type: 'integer' }, 1.5)[0]?.message, 'expected integer, got number 1.5');
    assert.equal(check({ type: 'string' }, {})[0]?.message, 'expected string, got object');
    assert.equal(check({ type: 'object' }, [])[0]?.message, 'expected object, got array');
    assert.equal(check({ type: 'boolean' }, 'true')[0]?.message, 'expected boolean, got string "true"');
  });

  it('truncates long values in the message', () => {
    const message = check({ type: 'integer' }, 'x'.repeat(100))[0]?.message ?? '';
    assert.match(message, /^expected integer, got string "x{40}"…$/);
  });

  it('int-or-string accepts integers and strings only', () => {
    const schema = { 'x-kubernetes-int-or-string': true };
    assert.deepEqual(check(schema, 8080), []);
    assert.deepEqual(check(schema, 'http'), []);
    assert.deepEqual(codes(check(schema, 1.5)), ['schema-type']);
    assert.equal(check(schema, true)[0]?.message, 'expected integer or string, got boolean true');
  });

  it('null is accepted only when nullable', () => {
    assert.deepEqual(check({ type: 'string', nullable: true }, null), []);
    assert.deepEqual(check({ type: 'string' }, null), [{ code: 'schema-type', path: [], message: 'expected string, got null' }]);
  });
});

describe('validateOpenApi: objects', () => {
  const schema: JsonObject = {
    type: 'object',
    required: ['name', 'port'],
    properties: { name: { type: 'string' }, port: { type: 'integer' }, enableEgress: { type: 'boolean' }, mode: { type: 'string', default: 'a' } },
  };

  it('reports a missing required field at its own path', () => {
    assert.deepEqual(validateOpenApi(schema, { name: 'x' }, ['spec']), [
      { code: 'schema-required', path: ['spec', 'port'], message: 'required field "port" is missing' },
    ]);
  });

  it('does not require a field the API server would default', () => {
    assert.deepEqual(check({ ...schema, required: ['name', 'port', 'mode'] }, { name: 'x', port: 1 }), []);
  });

  it('reports unknown fields with a suggestion when one is close', () => {
    assert.deepEqual(check(schema, { name: 'x', port: 1, enableEgres: true, zzz: 1 }), [
      {
        code: 'schema-unknown-field',
        path: ['enableEgres'],
        message: 'unknown field "enableEgres": the API server would silently drop it (did you mean "enableEgress"?)',
      },
      { code: 'schema-unknown-field', path: ['zzz'], message: 'unknown field "zzz": the API server would silently drop it' },
    ]);
    assert.match(check(schema, { name: 'x', port: 1, EnableEgress: true })[0]?.message ?? '', /did you mean "enableEgress"/);
  });

  it('validates map values against additionalProperties', () => {
    const labels: JsonObject = { type: 'object', additionalProperties: { type: 'string' } };
    assert.deepEqual(check(labels, { app: 'a', 'app.kubernetes.io/name': 'b' }), []);
    assert.deepEqual(check(labels, { app: 1 }), [{ code: 'schema-type', path: ['app'], message: 'expected string, got integer 1' }]);
  });

  it('additionalProperties false reports unknown fields; true allows anything', () => {
    const base: JsonObject = { type: 'object', properties: { a: { type: 'string' } } };
    assert.deepEqual(codes(check({ ...base, additionalProperties: false }, { a: 'x', b: 1 })), ['schema-unknown-field']);
    assert.deepEqual(check({ ...base, additionalProperties: true }, { a: 'x', b: 1 }), []);
  });

  it('preserve-unknown-fields allows unknown keys but still checks known ones', () => {
    const open: JsonObject = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } };
    assert.deepEqual(check(open, { a: 'x', anything: { deep: [1] } }), []);
    assert.deepEqual(codes(check(open, { a: 1 })), ['schema-type']);
  });

  it('an object schema without properties drops every key, except the top-level metadata', () => {
    const root: JsonObject = { type: 'object', properties: { metadata: { type: 'object' }, spec: { type: 'object' } } };
    assert.deepEqual(check(root, { metadata: { name: 'x', labels: { a: 'b' } } }), []);
    assert.deepEqual(codes(check(root, { metadata: 'x' })), ['schema-type']);
    assert.deepEqual(check(root, { spec: { x: 1 } }), [
      { code: 'schema-unknown-field', path: ['spec', 'x'], message: 'unknown field "x": the API server would silently drop it' },
    ]);
  });

  it('reports every violation in document order', () => {
    const result = check(schema, { port: 'p', zzz: 1, name: 2 });
    assert.deepEqual(
      result.map((v) => [v.code, v.path.join('.')]),
      [
        ['schema-type', 'port'],
        ['schema-unknown-field', 'zzz'],
        ['schema-type', 'name'],
      ],
    );
  });
});

describe('validateOpenApi: enums and constraints', () => {
  it('enum lists the allowed values', () => {
    assert.deepEqual(check({ type: 'string', enum: ['NodeLevel', 'PodLevel'] }, 'Sidecar'), [
      { code: 'schema-enum', path: [], message: 'must be one of "NodeLevel", "PodLevel"; got "Sidecar"' },
    ]);
    assert.match(check({ type: 'string', enum: ['NodeLevel', 'PodLevel'] }, 'podlevel')[0]?.message ?? '', /did you mean "PodLevel"/);
  });

  it('numeric bounds, exclusive bounds and multipleOf', () => {
    const port = { type: 'integer', minimum: 1, maximum: 65535 };
    assert.deepEqual(check(port, 1), []);
    assert.deepEqual(check(port, 0), [{ code: 'schema-constraint', path: [], message: 'must be at least 1, got 0' }]);
    assert.equal(check(port, 70000)[0]?.message, 'must be at most 65535, got 70000');
    assert.equal(check({ type: 'number', minimum: 0, exclusiveMinimum: true }, 0)[0]?.message, 'must be greater than 0, got 0');
    assert.equal(check({ type: 'number', maximum: 1, exclusiveMaximum: true }, 1)[0]?.message, 'must be less than 1, got 1');
    assert.deepEqual(check({ type: 'number', multipleOf: 0.1 }, 0.3), []);
    assert.deepEqual(codes(check({ type: 'integer', multipleOf: 5 }, 7)), ['schema-constraint']);
  });

  it('string length counts code points; pattern uses unicode RegExp and skips what it cannot compile', () => {
    assert.deepEqual(check({ type: 'string', maxLength: 2 }, '😀😀'), []);
    assert.equal(check({ type: 'string', maxLength: 2 }, 'abc')[0]?.message, 'must be at most 2 characters long, got 3');
    assert.equal(check({ type: 'string', minLength: 1 }, '')[0]?.message, 'must be at least 1 character long, got 0');
    assert.deepEqual(check({ type: 'string', pattern: '^[a-z]+$' }, 'abc'), []);
    assert.equal(check({ type: 'string', pattern: '^[a-z]+$' }, 'ABC')[0]?.message, 'must match the pattern ^[a-z]+$, got "ABC"');
    assert.deepEqual(check({ type: 'string', pattern: '(?i)abc' }, 'whatever'), []);
  });

  it('item and property counts', () => {
    assert.equal(check({ type: 'array', minItems: 1 }, [])[0]?.message, 'must have at least 1 item, got 0');
    assert.equal(check({ type: 'array', maxItems: 1 }, [1, 2])[0]?.message, 'must have at most 1 item, got 2');
    const map = { type: 'object', additionalProperties: { type: 'string' } };
    assert.deepEqual(codes(check({ ...map, minProperties: 1 }, {})), ['schema-constraint']);
    assert.deepEqual(codes(check({ ...map, maxProperties: 1 }, { a: 'a', b: 'b' })), ['schema-constraint']);
  });

  it('formats: int32/int64 ranges, date-time, duration, ip, cidr, hostname; unknown formats ignored', () => {
    const ok = (format: string, type: string, value: JsonValue) => check({ type, format }, value).length === 0;
    assert.ok(ok('int32', 'integer', 2147483647));
    assert.ok(!ok('int32', 'integer', 2147483648));
    assert.ok(ok('int64', 'integer', -(2 ** 63)));
    assert.ok(!ok('int64', 'integer', 2 ** 64));
    assert.ok(ok('date-time', 'string', '2024-02-29T12:00:00.5+01:00'));
    assert.ok(!ok('date-time', 'string', '2023-02-29T12:00:00Z'));
    assert.ok(!ok('date-time', 'string', '2024-01-01'));
    for (const d of ['90s', '1h30m', '500ms', '1.5h', '0', '-2m3s', '10µs']) assert.ok(ok('duration', 'string', d), d);
    for (const d of ['90', '5 min', '1d', '', 'h']) assert.ok(!ok('duration', 'string', d), d);
    assert.ok(ok('ipv4', 'string', '10.0.0.1'));
    assert.ok(!ok('ipv4', 'string', '10.0.0.256'));
    assert.ok(ok('ipv6', 'string', 'fd00::1'));
    assert.ok(!ok('ipv6', 'string', '10.0.0.1'));
    assert.ok(ok('cidr', 'string', '10.0.0.0/8'));
    assert.ok(ok('cidr', 'string', 'fd00::/64'));
    assert.ok(!ok('cidr', 'string', '10.0.0.0/33'));
    assert.ok(!ok('cidr', 'string', '10.0.0.0'));
    assert.ok(ok('hostname', 'string', 'fsm-controller.fsm-system.svc'));
    assert.ok(!ok('hostname', 'string', '-bad-.example'));
    assert.ok(ok('no-such-format', 'string', 'anything'));
    assert.equal(check({ type: 'string', format: 'duration' }, '5 min')[0]?.message, 'must be a duration such as "90s", "500ms" or "1h30m", got "5 min"');
  });
});

describe('validateOpenApi: list types', () => {
  it('list-type map: a repeated key tuple is reported at the second item', () => {
    const schema: JsonObject = {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name', 'protocol'],
      items: { type: 'object', properties: { name: { type: 'string' }, protocol: { type: 'string', default: 'TCP' }, port: { type: 'integer' } } },
    };
    const value = [
      { name: 'http', port: 80 },
      { name: 'http', protocol: 'UDP', port: 81 },
      { name: 'http', protocol: 'TCP', port: 82 },
    ];
    assert.deepEqual(validateOpenApi(schema, value, ['ports']), [
      {
        code: 'schema-list-key-duplicate',
        path: ['ports', 2],
        message: 'duplicate entry name="http", protocol="TCP": item [0] has the same key (the list is keyed by name, protocol)',
      },
    ]);
  });

  it('list-type set: a repeated scalar is reported', () => {
    const schema: JsonObject = { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'integer' } };
    assert.deepEqual(check(schema, [80, 443]), []);
    assert.deepEqual(check(schema, [80, 443, 80]), [
      { code: 'schema-list-key-duplicate', path: [2], message: 'duplicate item 80: item [0] has the same value and this list is a set' },
    ]);
  });
});

describe('validateOpenApi: allOf, anyOf, oneOf, not', () => {
  it('allOf: every branch applies, without judging unknown fields', () => {
    const schema: JsonObject = { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer' } }, allOf: [{ required: ['a'] }, { properties: { b: { minimum: 1 } } }] };
    assert.deepEqual(check(schema, { a: 1, b: 1 }), []);
    assert.deepEqual(codes(check(schema, { b: 0 })), ['schema-required', 'schema-constraint']);
  });

  it('anyOf/oneOf: fails only when no branch matches', () => {
    for (const keyword of ['anyOf', 'oneOf']) {
      const schema: JsonObject = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, [keyword]: [{ required: ['a'] }, { required: ['b'] }] };
      assert.deepEqual(check(schema, { a: 'x', b: 'y' }), []);
      assert.deepEqual(check(schema, {}), [
        {
          code: 'schema-constraint',
          path: [],
          message: 'matches none of the allowed shapes (required field "a" is missing; or required field "b" is missing)',
        },
      ]);
    }
  });

  it('the quantity shape CRDs use (int-or-string with anyOf and a pattern)', () => {
    const quantity: JsonObject = { anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: '^[0-9]+(m|Mi|Gi)?$', 'x-kubernetes-int-or-string': true };
    assert.deepEqual(check(quantity, 2), []);
    assert.deepEqual(check(quantity, '512Mi'), []);
    assert.deepEqual(codes(check(quantity, '1 GB')), ['schema-constraint']);
    assert.deepEqual(codes(check(quantity, true)), ['schema-type']);
  });

  it('not', () => {
    assert.deepEqual(codes(check({ type: 'string', not: { enum: ['forbidden'] } }, 'forbidden')), ['schema-constraint']);
    assert.deepEqual(check({ type: 'string', not: { enum: ['forbidden'] } }, 'fine'), []);
  });
});

describe('validateOpenApi: robustness', () => {
  it('survives schemas with missing or malformed pieces', () => {
    const odd = { type: 'object', properties: { a: 'oops', b: { type: 'no-such-type' } }, required: 'a', enum: 'x', items: 3 } as unknown as JsonObject;
    assert.deepEqual(check(odd, { a: 1, b: 2 }), []);
    assert.deepEqual(check({}, { anything: [1, { b: null }] }), []);
  });

  it('survives deep values', () => {
    let deep: JsonValue = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = { x: deep };
    const schema: JsonObject = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { x: { type: 'object' } } };
    assert.deepEqual(codes(check(schema, deep)), ['schema-unknown-field']);
  });
});

describe('validateOpenApi: the MeshConfig CRD (v1alpha3)', () => {
  const crdText = readFileSync(new URL('../fixtures/fsm-reference/config.flomesh.io_meshconfigs.yaml', import.meta.url), 'utf8');
  const crd = loadAll(crdText).find(isObject);
  const versions = isObject(crd) && isObject(crd.spec) && Array.isArray(crd.spec.versions) ? crd.spec.versions : [];
  const version = versions.find((v) => isObject(v) && v.name === 'v1alpha3');
  const schema = isObject(version) && isObject(version.schema) ? version.schema.openAPIV3Schema : undefined;
  assert.ok(isObject(schema), 'v1alpha3 has an openAPIV3Schema');

  const meshConfig = (): JsonObject => ({
    apiVersion: 'config.flomesh.io/v1alpha3',
    kind: 'MeshConfig',
    metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system', labels: { app: 'fsm' } },
    spec: {
      connector: {
        lb: {},
        viaGateway: {
          clusterIP: '',
          externalIP: '',
          ingressAddr: '',
          egressAddr: '',
          ingressHTTPPort: 0,
          ingressGRPCPort: 0,
          egressHTTPPort: 0,
          egressGRPCPort: 0,
        },
      },
      image: { digest: {}, name: {} },
      misc: {},
      sidecar: { enablePrivilegedInitContainer: false, sidecarDisabledMTLS: false, logLevel: 'error' },
      traffic: {
        enableEgress: true,
        enablePermissiveTrafficPolicyMode: true,
        http1PerRequestLoadBalancing: false,
        http2PerRequestLoadBalancing: true,
        interceptionMode: 'PodLevel',
        serviceAccessMode: 'mixed',
        inboundPortExclusionList: [],
        outboundPortExclusionList: [],
        outboundIPRangeExclusionList: [],
        outboundIPRangeInclusionList: [],
        networkInterfaceExclusionList: [],
      },
      warmup: { duration: '90s', minWeight: 10, maxWeight: 100 },
    },
  });
  const traffic = (config: JsonObject) => (config.spec as JsonObject).traffic as JsonObject;
  const sidecar = (config: JsonObject) => (config.spec as JsonObject).sidecar as JsonObject;

  it('accepts a valid MeshConfig', () => {
    assert.deepEqual(validateOpenApi(schema, meshConfig()), []);
  });

  it('a typo in traffic.enableEgress is one unknown field with a suggestion', () => {
    const config = meshConfig();
    traffic(config).enableEgres = true;
    assert.deepEqual(validateOpenApi(schema, config), [
      {
        code: 'schema-unknown-field',
        path: ['spec', 'traffic', 'enableEgres'],
        message: 'unknown field "enableEgres": the API server would silently drop it (did you mean "enableEgress"?)',
      },
    ]);
  });

  it('sidecar.logLevel must be a string', () => {
    const config = meshConfig();
    sidecar(config).logLevel = 5;
    assert.deepEqual(validateOpenApi(schema, config), [
      { code: 'schema-type', path: ['spec', 'sidecar', 'logLevel'], message: 'expected string, got integer 5' },
    ]);
  });

  it('a missing required leaf', () => {
    const config = meshConfig();
    delete sidecar(config).sidecarDisabledMTLS;
    assert.deepEqual(validateOpenApi(schema, config), [
      { code: 'schema-required', path: ['spec', 'sidecar', 'sidecarDisabledMTLS'], message: 'required field "sidecarDisabledMTLS" is missing' },
    ]);
  });

  it('constraints and formats from the CRD', () => {
    const config = meshConfig();
    const spec = config.spec as JsonObject;
    spec.warmup = { duration: '90 seconds', minWeight: 101 };
    traffic(config).interceptionMode = 'NodeLevl';
    assert.deepEqual(
      validateOpenApi(schema, config).map((v) => [v.code, v.path.join('.')]),
      [
        ['schema-enum', 'spec.traffic.interceptionMode'],
        ['schema-constraint', 'spec.warmup.duration'],
        ['schema-constraint', 'spec.warmup.minWeight'],
      ],
    );
  });
});
