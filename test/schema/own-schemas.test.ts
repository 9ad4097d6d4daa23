import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileJsonSchema, OWN_SCHEMAS } from '../../src/schema/json-schema.ts';
import { REPO_CONFIG_SCHEMA } from '../../src/config/repo-config-schema.ts';
// Each module that declares a lazily compiled schema adds it to OWN_SCHEMAS when imported.
import '../../src/config/repo-config.ts';
import '../../src/kube/credentials/cluster-settings.ts';

test("fsm-gitops's own schemas (compiled at run time without the meta-schema check) are valid draft-07 schemas", () => {
  assert.ok(OWN_SCHEMAS.length >= 2, 'the repository config and the cluster settings');
  assert.ok(OWN_SCHEMAS.includes(REPO_CONFIG_SCHEMA));
  for (const schema of OWN_SCHEMAS) assert.doesNotThrow(() => compileJsonSchema(structuredClone(schema)), JSON.stringify(schema).slice(0, 80));
});

test('a schema the meta-schema refuses is refused when compiled with the check', () => {
  assert.throws(() => compileJsonSchema({ type: 'object', properties: { a: { minLength: 'one' } } }));
});
