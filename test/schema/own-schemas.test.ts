import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileJsonSchema } from '../../src/schema/json-schema.ts';
import { OWN_SCHEMAS } from '../../scripts/build-schemas.ts';

test("fsm-gitops's own schemas (generated into code by scripts/build-schemas.ts) are valid draft-07 schemas", () => {
  assert.deepEqual(OWN_SCHEMAS.map((own) => own.constant), ['REPO_CONFIG_SCHEMA', 'CLUSTER_SETTINGS_SCHEMA']);
  for (const own of OWN_SCHEMAS) assert.doesNotThrow(() => compileJsonSchema(structuredClone(own.schema)), own.constant);
});

test('a schema the meta-schema refuses is refused when compiled with the check', () => {
  assert.throws(() => compileJsonSchema({ type: 'object', properties: { a: { minLength: 'one' } } }));
});
