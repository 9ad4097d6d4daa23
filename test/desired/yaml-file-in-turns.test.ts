/**
 * parseYamlFileInTurns must read every file exactly as parseYamlFile does: compared here on generated
 * multi-document texts cut into runs of a few dozen characters (so that most files are parsed in many runs),
 * then on the limits that span documents, then for what it is for: other work runs between its runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dump } from 'js-yaml';
import type { JsonPath, JsonValue } from '../../src/core/json.ts';
import { loadEnvironment } from '../../src/desired/load-environment.ts';
import { MemoryRepo } from '../../src/desired/memory-repo.ts';
import { parseYamlFile, type YamlParseResult } from '../../src/desired/yaml-file.ts';
import { parseYamlFileInTurns } from '../../src/desired/yaml-file-in-turns.ts';
import type { EnvironmentConfig } from '../../src/config/repo-config.ts';

/** A small seeded generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALARS = ['a', 'yes', 'No', 'on', 'OFF', 'y', '0777', '0x1F', '1_000', '0b101', '12', '-3.5', '1e3', '.inf', '~', 'null', '"yes"', "'on'", '"a\\tb"', "'it''s'", '2024-01-02', '1:30', 'text with words', '---x', '"---"', '!!str 12', '!!int "7"'];
const BLOCK_BODIES = [['line one', 'line two'], ['---', '--- x', '...'], ['', 'after blank', '', ''], ['first', '  indented more', 'back']];

/** A node: `head` follows its key on the key's line (a scalar, a flow list, a block scalar's indicator); `body`, the lines below it. */
interface Node {
  head: string | undefined;
  body: string[];
}

const indent = (lines: string[]): string[] => lines.map((line) => (line === '' ? '' : `  ${line}`));

/** One YAML node, from a small grammar of what manifests hold: scalars, flow lists, block scalars, mappings (with anchors and aliases, merge keys), lists. */
function node(next: () => number, depth: number, anchors: string[], named = { count: 0 }): Node {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const kind = next();
  if (depth > 2 || kind < 0.2) return { head: next() < 0.05 ? '' : `${pick(SCALARS)}${next() < 0.1 ? ' # comment' : ''}`, body: [] };
  if (kind < 0.3) return { head: `[${pick(SCALARS)}, ${pick(SCALARS)}]`, body: next() < 0.3 ? ['# a comment after a flow list'] : [] };
  if (kind < 0.42) return { head: `${pick(['|', '>'])}${pick(['', '+', '-'])}`, body: indent(pick(BLOCK_BODIES)) };
  const lines: string[] = [];
  const keys = 1 + Math.floor(next() * 4);
  for (let i = 0; i < keys; i++) {
    const key = `${pick(['key', 'yes', 'name', 'spec', '0777', 'on'])}${i}`;
    if (anchors.length > 0 && next() < 0.15) {
      lines.push(next() < 0.5 ? `${key}: *${pick(anchors)}` : `<<: *${pick(anchors)}`);
      continue;
    }
    const child = node(next, depth + 1, anchors, named);
    const anchor = next() < 0.2 && child.head !== '' && !child.head?.startsWith('!!') ? `a${named.count++}` : undefined;
    const props = anchor ? `&${anchor} ` : '';
    if (child.head === undefined) lines.push(`${key}: ${props}`.trimEnd(), ...indent(child.body));
    else lines.push(`${key}: ${props}${child.head}`.trimEnd(), ...indent(child.body));
    // An anchor is usable after its node; a merge key needs a mapping (else the error is the test's).
    if (anchor && (child.head === undefined ? !child.body[0]?.startsWith('- ') : false)) anchors.push(anchor);
    if (next() < 0.1) lines.push('# a comment line');
  }
  if (next() < 0.2) return { head: undefined, body: ['- first', ...lines.map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`))] };
  return { head: undefined, body: lines };
}

/** One YAML document (without its `---`), as lines. */
function documentLines(next: () => number): string[] {
  const root = node(next, 0, []);
  return root.head === undefined ? root.body : [root.head, ...root.body];
}

const BROKEN = ['key: [1, 2', 'a: b: c', 'dup: 1\ndup: 2', 'x: "open\n---\nstill open"', 'x: *nowhere', '  bad: indent\nback: 0', 'tab:\n\t- 1', '? complex\n: key', 'deep: ' + '['.repeat(70) + ']'.repeat(70), 'a: 1\n... junk'];
const SEPARATORS = ['---\n', '--- ', '--- \n', '---\t\n', '--- # a comment\n', '...\n---\n', '---\n# only a comment\n---\n', '---\n---\n', '\n---\n'];

/** A file of several documents; `broken` puts a syntax error or a limit in one of them. */
function generatedFile(seed: number): string {
  const next = random(seed);
  const count = 2 + Math.floor(next() * 8);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const separator = SEPARATORS[Math.floor(next() * SEPARATORS.length)]!;
    // `--- ` leaves the document's first line on the marker's: a mapping there is an error, so now and then only.
    if (i > 0) parts.push(separator === '--- ' && next() < 0.8 ? '--- \n' : separator);
    else if (next() < 0.3) parts.push(next() < 0.5 ? '---\n' : '# leading comment\n---\n');
    const broken = next() < 0.06;
    if (broken) parts.push(`${BROKEN[Math.floor(next() * BROKEN.length)]!}\n`);
    else parts.push(`${documentLines(next).join('\n')}\n`);
  }
  if (next() < 0.2) parts.push(next() < 0.5 ? '---\n' : '...\n');
  let text = parts.join('');
  if (next() < 0.05) text = `%YAML 1.2\n---\n${text}`;
  if (next() < 0.03) text = `\uFEFF${text}`;
  if (next() < 0.03) text = text.replace('\n---', '\n\uFEFF---');
  if (next() < 0.1) text = text.replace(/\n/g, '\r\n');
  if (next() < 0.1) text = text.trimEnd();
  return text;
}

function pathsOf(value: JsonValue, at: JsonPath = []): JsonPath[] {
  const children: [string | number, JsonValue][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : value !== null && typeof value === 'object' ? Object.entries(value) : [];
  return [at, [...at, 'missing'], ...children.flatMap(([key, child]) => pathsOf(child, [...at, key]))];
}

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
