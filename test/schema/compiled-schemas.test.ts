import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { transformSync } from 'esbuild';
import { parse as parseJs } from 'acorn';
import { parseAllDocuments } from 'yaml';
import { OWN_SCHEMAS, ownSchemaModule } from '../../scripts/build-schemas.ts';
import { validateClusterSettings } from '../../src/schema/compiled/cluster-settings.ts';
import { validateRepoConfig } from '../../src/schema/compiled/repo-config.ts';
import { compileJsonSchema, type JsonSchemaValidator } from '../../src/schema/json-schema.ts';
import { ownSchemaValidator, type StandaloneValidate } from '../../src/schema/own-schema.ts';
import { isObject, type JsonObject, type JsonValue } from '../../src/core/json.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const GENERATED: Record<string, StandaloneValidate> = { validateRepoConfig, validateClusterSettings };

describe('src/schema/compiled: the generated validators of fsm-gitops own schemas', () => {
  for (const own of OWN_SCHEMAS) {
    it(`${own.file} is what scripts/build-schemas.ts generates from ${own.constant} today (else: npm run schemas)`, async () => {
      assert.equal(readFileSync(join(ROOT, own.file), 'utf8'), await ownSchemaModule(own));
    });
  }

  it('holds no module the script does not generate', () => {
    const dir = join(ROOT, 'src/schema/compiled');
    assert.deepEqual(readdirSync(dir).map((name) => relative(ROOT, join(dir, name))).sort(), OWN_SCHEMAS.map((own) => own.file).sort());
  });

  it('refuses a schema whose $ref the generated code would resolve against a copy', async () => {
    const own = { ...OWN_SCHEMAS[0]!, schema: { definitions: { a: { type: 'string' } }, properties: { a: { $ref: '#/definitions/a' } } } };
    await assert.rejects(ownSchemaModule(own), /"\$ref" is not supported/);
  });
});

describe('the generated validators give the violations the run-time compile gives', () => {
  for (const own of OWN_SCHEMAS) {
    it(`${own.constant}: identical violations, messages and order over the test inputs and their mutations`, () => {
      const runtime = compileJsonSchema(own.schema);
      const generated = ownSchemaValidator(own.schema, GENERATED[own.validator]!);
      const seeds = own.constant === 'REPO_CONFIG_SCHEMA' ? configSeeds() : settingsSeeds();
      const corpus = withMutations(seeds);
      const seen = compareOver(corpus, runtime, generated);
      assert.ok(seeds.length >= 15, `seeds from the tests: ${seeds.length}`);
      assert.ok(seen.invalid > 1000 && seen.valid > 10, JSON.stringify(seen));
      const expected = own.constant === 'REPO_CONFIG_SCHEMA' ? CONFIG_MESSAGES : SETTINGS_MESSAGES;
      for (const fragment of expected) assert.ok(seen.messages.some((m) => m.includes(fragment)), `the corpus reaches ${JSON.stringify(fragment)}`);
      assert.ok(seen.multiple > 500, `inputs with several violations (order): ${seen.multiple}`);
    });
  }
});

const CONFIG_MESSAGES = ['expected object, got', 'required field "path" is missing', 'unknown field', 'must be one of', 'invalid key', 'duplicate item', 'must match the pattern', 'must be at most 10', 'must have at least 1 field', 'characters long', 'must have at most 200 items'];
const SETTINGS_MESSAGES = ['matches none of the allowed shapes', 'must match the pattern', 'character long', 'expected object, got', 'required field "clusters" is missing', 'unknown field'];

interface Seen {
  valid: number;
  invalid: number;
  multiple: number;
  messages: string[];
}

function compareOver(corpus: JsonValue[], runtime: JsonSchemaValidator, generated: JsonSchemaValidator): Seen {
  const seen: Seen = { valid: 0, invalid: 0, multiple: 0, messages: [] };
  const messages = new Set<string>();
  for (const value of corpus) {
    const expected = runtime(value);
    assert.deepEqual(generated(value), expected, JSON.stringify(value));
    if (expected.length === 0) seen.valid++;
    else seen.invalid++;
    if (expected.length > 1) seen.multiple++;
    for (const violation of expected) messages.add(violation.message);
  }
  seen.messages = [...messages];
  return seen;
}

/** The string literals the tests give as YAML (`environments:` / `clusters:`), and the corpus files, parsed. */
function literalDocuments(marker: string, files: string[]): JsonValue[] {
  const documents: JsonValue[] = [];
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const texts = file.endsWith('.ts') ? stringLiterals(text).filter((s) => s.includes(marker)) : [text];
    for (const yaml of texts) for (const document of parseAllDocuments(yaml)) if (document.errors.length === 0) documents.push(document.toJS() as JsonValue);
  }
  return documents;
}

function stringLiterals(typescript: string): string[] {
  const program = parseJs(transformSync(typescript, { loader: 'ts' }).code, { ecmaVersion: 'latest', sourceType: 'module' });
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node as JsonValue)) return;
    const n = node as { type?: unknown; value?: unknown; expressions?: unknown[]; quasis?: { value: { cooked: string } }[] };
    if (n.type === 'Literal' && typeof n.value === 'string') found.push(n.value);
    if (n.type === 'TemplateLiteral' && n.expressions?.length === 0) found.push(n.quasis?.[0]?.value.cooked ?? '');
    for (const child of Object.values(node as object)) if (typeof child === 'object' && child !== null) visit(child);
  };
  visit(program);
  return found;
}

function filesUnder(dir: string, test: (name: string) => boolean): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).filter(test).map((name) => join(dir, name));
}

function configSeeds(): JsonValue[] {
  const tests = filesUnder('test', (name) => name.endsWith('.test.ts') && !name.includes('compiled-schemas'));
  const files = [...tests, ...filesUnder('test/bad-input/corpus', (name) => name.endsWith('fsm-gitops.yml')), 'examples/gitops/.github/fsm-gitops.yml'];
  return literalDocuments('environments:', files);
}

function settingsSeeds(): JsonValue[] {
  const tests = filesUnder('test', (name) => name.endsWith('.test.ts') && !name.includes('compiled-schemas'));
  const fromTests = literalDocuments('clusters:', tests);
  // Every pair of credential fields (one oneOf branch each, or two mixed), valid and invalid values.
  const fields: [string, JsonValue][] = [['snapshotFile', 's.json'], ['kubeconfigFile', '/k'], ['ssmParameter', '/p'], ['secretsManagerSecret', 's'], ['eks', { cluster: 'c', region: 'eu-west-1' }], ['region', 'eu-west-1'], ['region', 'EU'], ['context', ''], ['context', 'c'], ['server', 'https://x']];
  const pairs = fields.flatMap((a, i) => fields.slice(i).map((b) => ({ clusters: { prod: { [a[0]]: a[1], [b[0]]: b[1] } } })));
  return [...fromTests, ...pairs];
}

/** Every seed, and each with one node replaced, removed or extended; then pairs of those changes (several violations). */
function withMutations(seeds: JsonValue[]): JsonValue[] {
  const out = new Map<string, JsonValue>();
  const add = (value: JsonValue) => out.set(JSON.stringify(value), value);
  const single: JsonValue[] = [];
  for (const seed of seeds) {
    add(seed);
    for (const mutant of mutants(seed)) single.push(mutant);
  }
  single.forEach(add);
  let state = 12345;
  const random = (n: number) => ((state = (state * 1103515245 + 12345) % 2 ** 31), state % n);
  for (let i = 0; i < 2000 && single.length > 0; i++) {
    const [a, b] = [single[random(single.length)]!, single[random(single.length)]!];
    add(merge(a, b));
  }
  return [...out.values()];
}

const REPLACEMENTS: JsonValue[] = [null, true, 0, -1, 1.5, 11, 5000, '', 'x', 'Bad_Name', 'a'.repeat(300), '\u0000x', '../up', 'a//b', 'http://x', '1.2', 'v1.2.3-rc.1', 'eu-west-1', [], ['a', 'a'], [1], Array.from({ length: 201 }, (_, i) => `k${i}`), {}, { bogus: 1 }];

function mutants(seed: JsonValue): JsonValue[] {
  const result: JsonValue[] = [];
  const walk = (node: JsonValue, replace: (value: JsonValue | undefined) => JsonValue): void => {
    for (const replacement of REPLACEMENTS) result.push(replace(replacement));
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, (v) => replace(v === undefined ? node.filter((_, j) => j !== i) : node.map((x, j) => (j === i ? v : x)))));
    if (!isObject(node)) return;
    result.push(replace({ ...node, bogus: 'x' }), replace({ ...node, Bad_Key: Object.values(node)[0] ?? null }));
    for (const key of Object.keys(node)) {
      walk(node[key] as JsonValue, (v) => {
        const copy: JsonObject = { ...node };
        if (v === undefined) delete copy[key];
        else copy[key] = v;
        return replace(copy);
      });
    }
  };
  walk(seed, (v) => v ?? null);
  return result;
}

/** b's fields laid over a's, recursively: two mutations in one document. */
function merge(a: JsonValue, b: JsonValue): JsonValue {
  if (!isObject(a) || !isObject(b)) return b;
  const merged: JsonObject = { ...a };
  for (const [key, value] of Object.entries(b)) merged[key] = key in a ? merge(a[key] as JsonValue, value as JsonValue) : (value as JsonValue);
  return merged;
}
