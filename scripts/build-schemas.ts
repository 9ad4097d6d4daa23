/**
 * Generates src/schema/compiled/*.ts: ajv's standalone validation code (https://ajv.js.org/standalone.html)
 * for fsm-gitops's own constant JSON Schemas, so no CLI run or Lambda cold start compiles them (ajv's compile
 * of the repository config's schema took 70-85 ms of every `fsm-gitops plan`, before the environment's files
 * were read). Chart schemas from the cluster are still compiled at run time (src/schema/json-schema.ts).
 *
 * The code is generated with the options the run-time compile uses (src/schema/json-schema-options.ts), then:
 * - its copy of the schema (a JSON literal) is replaced by the schema constant itself, so error.schema and
 *   error.parentSchema are the objects reachable from it, as json-schema-errors.ts compares them by identity
 *   (a literal would also split objects the schema shares, such as the cluster settings' REGION);
 * - ajv's `require("ajv/dist/runtime/…").default` helpers become ES imports (the bundles resolve them);
 * - formats and lenientRegExp are imported from json-schema-options.ts.
 * test/schema/compiled-schemas.test.ts fails when the committed files differ from what this generates.
 * Run after changing a schema: `npm run schemas`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { _, Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { isObject, type JsonObject } from '../src/core/json.ts';
import { REPO_CONFIG_SCHEMA } from '../src/config/repo-config-schema.ts';
import { CLUSTER_SETTINGS_SCHEMA } from '../src/kube/credentials/cluster-settings-schema.ts';
import { JSON_SCHEMA_OPTIONS } from '../src/schema/json-schema-options.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = 'src/schema/compiled';

export interface OwnSchema {
  /** The generated module, repository-relative. */
  file: string;
  schema: JsonObject;
  /** Where the schema constant is exported from, repository-relative, and its name there. */
  from: string;
  constant: string;
  /** The validation function the generated module exports. */
  validator: string;
}

export const OWN_SCHEMAS: readonly OwnSchema[] = [
  { file: `${OUT_DIR}/repo-config.ts`, schema: REPO_CONFIG_SCHEMA, from: 'src/config/repo-config-schema.ts', constant: 'REPO_CONFIG_SCHEMA', validator: 'validateRepoConfig' },
  { file: `${OUT_DIR}/cluster-settings.ts`, schema: CLUSTER_SETTINGS_SCHEMA, from: 'src/kube/credentials/cluster-settings-schema.ts', constant: 'CLUSTER_SETTINGS_SCHEMA', validator: 'validateClusterSettings' },
];

/** Keywords the run-time compile rewrites or resolves (prepare(), `$ref` scopes): the generated code would differ. */
const UNSUPPORTED = new Set(['$ref', '$id', '$schema']);

/** The module's source text. Throws when the schema or ajv's output is not what the rewriting expects. */
export async function ownSchemaModule(own: OwnSchema): Promise<string> {
  assertPlain(own.schema, own.constant);
  const ajv = new Ajv({
    ...JSON_SCHEMA_OPTIONS,
    validateSchema: true,
    code: { ...JSON_SCHEMA_OPTIONS.code, source: true, esm: true, lines: true, formats: _`JSON_SCHEMA_FORMATS` },
  });
  const version = (JSON.parse(await readFile(join(ROOT, 'node_modules/ajv/package.json'), 'utf8')) as { version: string }).version;
  let code = standalone.default(ajv, ajv.compile(own.schema));
  const exported = /^"use strict";\nexport const validate = (validate\d+);\nexport default \1;\n/.exec(code);
  if (!exported) throw new Error(`${own.constant}: ajv's standalone code does not start as expected`);
  code = code.slice(exported[0].length);
  const literals = [...code.matchAll(/^const (schema\d+) = (.*);$/gm)];
  const literal = literals[0];
  if (literals.length !== 1 || literal?.[2] !== ajvStringify(own.schema)) throw new Error(`${own.constant}: expected one copy of the whole schema in ajv's code, found ${literals.length}`);
  code = code.replace(literal[0], `const ${literal[1]} = ${own.constant};`);
  const helpers = new Map<string, string>();
  code = code.replace(/require\("ajv\/dist\/runtime\/([a-z0-9_]+)"\)\.default/g, (_match: string, name: string) => {
    helpers.set(name, `ajvRuntime_${name}`);
    return `runtimeDefault(ajvRuntime_${name})`;
  });
  if (code.includes('require(')) throw new Error(`${own.constant}: ajv's code requires a module this script does not import`);
  const dir = join(ROOT, own.file, '..');
  const local = (file: string) => relative(dir, join(ROOT, file));
  const imports = [
    `import type { StandaloneValidate } from '${local('src/schema/own-schema.ts')}';`,
    `import { ${own.constant} } from '${local(own.from)}';`,
    ...(/\blenientRegExp\b/.test(code) ? [`import { lenientRegExp } from '${local('src/schema/json-schema-options.ts')}';`] : []),
    ...(/\bJSON_SCHEMA_FORMATS\b/.test(code) ? [`import { JSON_SCHEMA_FORMATS } from '${local('src/schema/json-schema-options.ts')}';`] : []),
    ...[...helpers].map(([name, binding]) => `import ${binding} from 'ajv/dist/runtime/${name}.js';`),
  ];
  return [
    `// Generated by scripts/build-schemas.ts (\`npm run schemas\`) from ${own.constant} (${own.from}) with ajv ${version}'s`,
    '// standalone code: do not edit. test/schema/compiled-schemas.test.ts fails when this file is stale.',
    '// @ts-nocheck',
    ...imports,
    '',
    '// ajv/dist/runtime modules are CommonJS: a default import is their module.exports, whose `default` is the helper.',
    'const runtimeDefault = (m) => (typeof m === "function" ? m : m.default);',
    code.trim(),
    `export const ${own.validator}: StandaloneValidate = ${exported[1]};`,
    '',
  ].join('\n');
}

/** ajv's stringify for the code it generates (lib/compile/codegen/code.ts safeStringify). */
function ajvStringify(value: unknown): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function assertPlain(node: unknown, where: string): void {
  if (Array.isArray(node)) node.forEach((item, i) => assertPlain(item, `${where}[${i}]`));
  if (!isObject(node)) return;
  for (const [key, child] of Object.entries(node)) {
    if (UNSUPPORTED.has(key)) throw new Error(`${where}: "${key}" is not supported in fsm-gitops's own schemas (scripts/build-schemas.ts)`);
    assertPlain(child, `${where}.${key}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  for (const own of OWN_SCHEMAS) {
    await writeFile(join(ROOT, own.file), await ownSchemaModule(own));
    console.log(`${own.file}: ${own.validator} from ${own.constant}`);
  }
}
