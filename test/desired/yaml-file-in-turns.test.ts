/**
 * parseYamlFileInTurns must read every file exactly as parseYamlFile does: compared here on generated
 * multi-document texts cut into runs of a few dozen characters (so that most files are parsed in many runs),
 * then on the limits that span documents, then for what it is for: other work runs between its runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dump } from 'js-yaml';
import { loadEnvironment } from '../../src/desired/load-environment.ts';
import { MemoryRepo } from '../../src/desired/memory-repo.ts';
import { parseYamlFile, type YamlParseResult } from '../../src/desired/yaml-file.ts';
import { parseYamlFileInTurns } from '../../src/desired/yaml-file-in-turns.ts';
import type { EnvironmentConfig } from '../../src/config/repo-config.ts';
import { generatedFile, pathsOf } from '../support/generated-yaml.ts';

/** What a result says, with every document's locate() asked for every path its value holds (and one it does not). */
function described(result: YamlParseResult): unknown {
  if (!result.ok) return result;
  return {
    yaml11: result.yaml11,
    documents: result.documents.map((d) => ({ index: d.index, value: d.value, line: d.line, located: pathsOf(d.value).map((path) => [path, d.locate(path)]) })),
  };
}

async function inTurns(text: string, runChars: number): Promise<{ result: YamlParseResult; pauses: number }> {
  let pauses = 0;
  const result = await parseYamlFileInTurns(text, 'f.yaml', { runChars, sliceMs: 0, pause: async () => void pauses++ });
  return { result, pauses };
}

test('reads 1,500 generated multi-document files as the one-step parse does: values, lines, locations, YAML 1.1 spellings, errors', async () => {
  const tally = { ok: 0, failed: 0, inRuns: 0, pauses: 0 };
  for (let seed = 1; seed <= 1500; seed++) {
    const text = generatedFile(seed);
    const runChars = 1 + (seed % 60);
    const expected = parseYamlFile(text, 'f.yaml');
    const { result, pauses } = await inTurns(text, runChars);
    assert.deepStrictEqual(described(result), described(expected), `seed ${seed} (runs of ${runChars}): ${JSON.stringify(text)}`);
    tally[expected.ok ? 'ok' : 'failed'] += 1;
    if (pauses > 0) tally.inRuns += 1;
    tally.pauses += pauses;
  }
  // The comparison means something only if both kinds of file are common and most good files were cut.
  assert.ok(tally.ok > 900 && tally.failed > 150, JSON.stringify(tally));
  assert.ok(tally.inRuns > 0.8 * tally.ok, `most readable files were parsed in several runs: ${JSON.stringify(tally)}`);
});

test('the merge-key limit counts over the whole file, across runs: under it, in runs; over it, the one-step error', async () => {
  // Each document merges a 49-key mapping 40 times: 40 x 50 = 2,000 merge steps.
  const keys = Array.from({ length: 49 }, (_, i) => `k${i}: ${i}`).join(', ');
  const document = `base: &b {${keys}}\nitems:\n${Array.from({ length: 40 }, () => '  - <<: *b\n').join('')}`;
  const file = (documents: number): string => Array.from({ length: documents }, () => document).join('---\n');
  const under = file(5);
  const { result: read, pauses } = await inTurns(under, 500);
  assert.ok(read.ok, '10,000 merge steps in all are allowed');
  assert.ok(pauses >= 4, 'and read one document at a time');
  assert.deepStrictEqual(described(read), described(parseYamlFile(under, 'f.yaml')));

  const over = `${file(5)}---\nbase: &b {a: 1}\nitem: {<<: *b}\n`;
  const expected = parseYamlFile(over, 'f.yaml');
  assert.ok(!expected.ok && expected.code === 'yaml-limit' && expected.line === over.split('\n').length - 1, 'the one-step parse refuses the 10,001st step, in the last document');
  assert.deepStrictEqual((await inTurns(over, 500)).result, expected, 'no document over the limit alone, yet the file is refused as a whole');
});

test('the alias limit is per document, as in one step: 1,000 in each of many documents is fine, 1,001 in one is not', async () => {
  const document = (aliases: number): string => `a: &x 1\nlist: [${Array(aliases).fill('*x').join(', ')}]\n`;
  const fine = Array.from({ length: 4 }, () => document(1_000)).join('---\n');
  const { result, pauses } = await inTurns(fine, 1_000);
  assert.ok(result.ok && pauses === 3);
  assert.deepStrictEqual(described(result), described(parseYamlFile(fine, 'f.yaml')));
  const tooMany = `${fine}---\n${document(1_001)}`;
  const expected = parseYamlFile(tooMany, 'f.yaml');
  assert.ok(!expected.ok && expected.code === 'yaml-limit');
  assert.deepStrictEqual((await inTurns(tooMany, 1_000)).result, expected);
});

test('an alias bomb in a later run is the one-step parse\'s error, at its line', async () => {
  const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 8; i++) levels.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  const text = `${Array.from({ length: 30 }, (_, i) => `n: ${i}\n`).join('---\n')}---\n${levels.join('\n')}\n`;
  const expected = parseYamlFile(text, 'f.yaml');
  assert.ok(!expected.ok && expected.code === 'yaml-limit' && expected.line > 60);
  assert.deepStrictEqual((await inTurns(text, 50)).result, expected);
});

/** A file like the bench's: Plugins written by js-yaml, one after the other. */
function pluginsFile(count: number): string {
  return Array.from({ length: count }, (_, i) =>
    dump({ apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name: `p-${i}`, labels: { half: i % 2 ? 'yes' : 'no' } }, spec: { priority: 100, pipyscript: `pipy().pipeline()\n// ${i}\n` } }),
  ).join('---\n');
}

/** Counts event-loop turns (setImmediate callbacks) until `work` settles. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let done = false;
  const tick = (): void => {
    if (done) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  const value = await work();
  done = true;
  return { value, turns };
}

/**
 * Pauses come every sliceMs of parsing: whether one falls inside a parse depends on how fast the machine
 * parses (Node 24 reads 1,000 Plugins in under 16 ms). sliceMs 0 pauses after every run; with the defaults,
 * 8,000 Plugins (~1.6 MB) take several slices on any machine these tests run on.
 */
test('a large file is parsed in turns: the event loop runs between its runs', async () => {
  const text = pluginsFile(1_000);
  const { value, turns } = await turnsDuring(() => parseYamlFileInTurns(text, 'f.yaml', { sliceMs: 0 }));
  assert.ok(turns >= 2, `the event loop turned ${turns} times during the parse`);
  assert.deepStrictEqual(described(value), described(parseYamlFile(text, 'f.yaml')));
  const { turns: inOneStep } = await turnsDuring(async () => parseYamlFile(text, 'f.yaml'));
  assert.equal(inOneStep, 0, 'while the one-step parse holds it throughout (what the test tells apart)');
});

test('the environment loader reads a large file in turns', async () => {
  const env: EnvironmentConfig = {
    name: 'staging', path: 'clusters/staging', cluster: 's', mesh: { name: 'fsm', namespace: 'fsm-system' },
    deploy: 'manual', approvals: 1, namespaces: undefined, teams: [], restart: 'manual', prune: true, production: false,
  };
  const repo = new MemoryRepo({ 'clusters/staging/plugins.yaml': pluginsFile(8_000) });
  const { value, turns } = await turnsDuring(() => loadEnvironment(repo, env));
  assert.ok(turns >= 2, `the event loop turned ${turns} times while the file was read`);
  assert.equal(value.resources.length, 8_000);
  // Each Plugin is 11 lines and a `---`: the last one's priority is on line 12 x 7,999 + 8.
  assert.deepEqual(value.resources[7_999]!.locate(['spec', 'priority']), { line: 12 * 7_999 + 8, column: 3 });
});
