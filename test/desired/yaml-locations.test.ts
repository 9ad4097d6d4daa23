/**
 * A document's paths are placed lazily (src/desired/yaml-locations.ts): only a path inside a document makes
 * its path index, from a compact copy of the events. Checked here against the eager walk it replaced (kept
 * below as the reference, as it was): every path of every document of hand-written and generated files, parsed
 * in one step and in runs, must be placed exactly where the eager walk placed it, asked in any order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dump, EVENT_ID, getScalarValue, type Event } from 'js-yaml';
import type { JsonPath } from '../../src/core/json.ts';
import { LineIndex } from '../../src/desired/line-index.ts';
import { parseYaml, parseYamlFile, type YamlDocument } from '../../src/desired/yaml-file.ts';
import { parseYamlFileInTurns } from '../../src/desired/yaml-file-in-turns.ts';
import { YamlLocations } from '../../src/desired/yaml-locations.ts';
import { generatedFile, pathsOf, random } from '../support/generated-yaml.ts';

interface EagerLocations {
  start: number;
  offsets: Map<string, number>;
}

const pathKey = (path: JsonPath): string => path.join('\u0000');
const childKey = (parent: string | undefined, segment: string | number): string => (parent === undefined ? String(segment) : `${parent}\u0000${segment}`);

/** The eager walk (yaml-file.ts before the index was lazy): every document's paths, in one pass over all events. */
function eagerLocations(text: string, events: Event[]): EagerLocations[] {
  const documents: EagerLocations[] = [];
  type Frame = { kind: 'map'; at: string | undefined; key: string | undefined } | { kind: 'seq'; at: string | undefined; next: number };
  let current: EagerLocations | undefined;
  const stack: Frame[] = [];
  const enter = (offset: number): string | undefined => {
    const top = stack[stack.length - 1];
    if (!top) {
      if (current && current.offsets.size === 0) current.start = offset;
      return undefined;
    }
    if (top.kind === 'seq') {
      const at = childKey(top.at, top.next++);
      current?.offsets.set(at, offset);
      return at;
    }
    if (top.key === undefined) return undefined;
    const at = childKey(top.at, top.key);
    top.key = undefined;
    return at;
  };
  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        current = { start: 0, offsets: new Map() };
        documents.push(current);
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const at = enter(event.start);
        stack.push(event.type === EVENT_ID.MAPPING ? { kind: 'map', at, key: undefined } : { kind: 'seq', at, next: 0 });
        break;
      }
      case EVENT_ID.SCALAR: {
        const top = stack[stack.length - 1];
        if (top?.kind === 'map' && top.key === undefined) {
          top.key = getScalarValue(text, event);
          current?.offsets.set(childKey(top.at, top.key), Math.max(event.valueStart, 0));
        } else {
          enter(event.valueStart);
        }
        break;
      }
      case EVENT_ID.ALIAS: {
        const top = stack[stack.length - 1];
        if (top?.kind === 'map' && top.key === undefined) top.key = '<<alias>>';
        else enter(event.anchorStart);
        break;
      }
      case EVENT_ID.POP:
        if (stack.length > 0) stack.pop();
        break;
    }
  }
  return documents;
}

/** The eager reference's locate(), as readDocuments answered it: the nearest recorded ancestor, else the document's start. */
function eagerLocate(lines: LineIndex, document: EagerLocations | undefined, path: JsonPath): { line: number; column: number } {
  const offsets = document?.offsets ?? new Map<string, number>();
  for (let n = path.length; n > 0; n--) {
    const offset = offsets.get(pathKey(path.slice(0, n)));
    if (offset !== undefined) return lines.locate(offset);
  }
  return lines.locate(document?.start ?? 0);
}

/** Paths to ask of a document: those its value holds, those the reference recorded (an alias key, a key merged over), their parents' misses, and deeper misses. */
function pathsToAsk(document: YamlDocument, reference: EagerLocations | undefined): JsonPath[] {
  const recorded = [...(reference?.offsets.keys() ?? [])].map((key) => key.split('\u0000').map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment)));
  const paths = [...pathsOf(document.value), ...recorded, ...recorded.map((path) => [...path, 0, 'deeper']), ['<<alias>>'], ['<<'], [0], ['missing', 'deeper']];
  return paths;
}

/** Compares every document's line and locate() for every path with the reference's; `order` shuffles the paths (the index is built by whichever comes first). */
function assertSameAsEager(text: string, documents: YamlDocument[], what: string, order: () => number): number {
  const lines = new LineIndex(text);
  const reference = eagerLocations(text, parseYaml(text, 'f.yaml').events);
  assert.equal(documents.length, reference.length, `${what}: documents`);
  let asked = 0;
  for (const [n, document] of documents.entries()) {
    assert.equal(document.line, lines.locate(reference[n]?.start ?? 0).line, `${what}: document ${n}'s line`);
    const paths = pathsToAsk(document, reference[n]).sort(() => order() - 0.5);
    for (const path of paths) {
      assert.deepStrictEqual(document.locate(path), eagerLocate(lines, reference[n], path), `${what}: document ${n}, path ${JSON.stringify(path)}`);
      asked += 1;
    }
    assert.deepStrictEqual(document.locate([]), eagerLocate(lines, reference[n], []), `${what}: document ${n}'s start, after its index was built`);
  }
  return asked;
}

const HAND_WRITTEN: Record<string, string> = {
  'aliases and merge keys': [
    'base: &base {a: 1, b: [x, y]}',
    'other: &other',
    '  c: 3',
    'merged:',
    '  <<: [*base, *other]',
    '  a: 2',
    'single:',
    '  <<: *base',
    'alias value: *other',
    'key name: &k scalar',
    '*k : [an alias as a key, {of: a mapping}]',
    'list: [*base, *other, plain]',
    '',
  ].join('\n'),
  'nested sequences of mappings': [
    'spec:',
    '  chains:',
    '  - name: inbound',
    '    plugins: [p1, p2]',
    '    rules:',
    '    - - deep',
    '      - {k: v, n: [1, [2, 3]]}',
    '    - match: {path: /x}',
    '  -',
    '    name: after-empty-line',
    '  - - a',
    '    - - b',
    '',
  ].join('\n'),
  'empty values': ['a:', 'b: ', 'c: ~', 'list:', '-', '- ', '- null', 'flow: {x: , y: }', '? ', ': value of an empty key', 'seq: []', ''].join('\n'),
  'flow collections': ['{a: 1, "b c": [1, {d: e}], f: {g: [h, {i: j}]}, ? k : l}', '---', '[one, [two, three], {four: 5}]', ''].join('\n'),
  'multi-document with empty documents and markers': ['# leading comment', '---', 'a: 1', '...', '---', '---', 'b: [1, 2]', '--- plain root scalar', '--- |', '  block root', '---', '- root', '- list', '...', ''].join('\n'),
  'keys of every style': [
    '"quoted \\t key": 1',
    "'single ''quoted''': 2",
    '? |',
    '  block key',
    ': 3',
    '? >-',
    '  folded',
    '  key',
    ': 4',
    '0777: octal key',
    'yes: bool key',
    '1: numeric key',
    '!!str 12: tagged key',
    '&k anchored: key',
    'multi word key: 5',
    'unicode ✓ key: {nested é: ∞}',
    '',
  ].join('\n'),
  'tags and anchors on collections': ['top: !!map &m', '  inner: !!seq', '  - !!str 1', '  - &s {a: b}', 'copy: *m', 'seq copy: *s', ''].join('\n'),
  'windows line ends': 'a: 1\r\nb:\r\n  - c: 2\r\n    d: [3, 4]\r\n---\r\ne: f\r\n',
  'a List manifest': dump({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } }] }),
};

function pluginsFile(count: number): string {
  return Array.from({ length: count }, (_, i) =>
    dump({ apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name: `p-${i}`, labels: { half: i % 2 ? 'yes' : 'no' } }, spec: { priority: 100, pipyscript: `pipy().pipeline()\n// ${i}\n`, list: [{ a: i }, [i, { b: [] }]] } }),
  ).join('---\n');
}

async function bothWays(text: string, what: string, seed: number): Promise<number> {
  const order = random(seed);
  const whole = parseYamlFile(text, 'f.yaml');
  assert.ok(whole.ok, `${what}: ${JSON.stringify(whole)}`);
  let asked = assertSameAsEager(text, whole.documents, `${what} (one step)`, order);
  const runChars = 1 + (seed % 50);
  const inRuns = await parseYamlFileInTurns(text, 'f.yaml', { runChars, sliceMs: 0, pause: async () => {} });
  assert.ok(inRuns.ok);
  asked += assertSameAsEager(text, inRuns.documents, `${what} (runs of ${runChars})`, order);
  return asked;
}

test('hand-written files: every path is placed where the eager walk placed it, in one step and in runs', async () => {
  let asked = 0;
  for (const [i, [what, text]] of Object.entries(HAND_WRITTEN).entries()) asked += await bothWays(text, what, i + 1);
  asked += await bothWays(pluginsFile(40), '40 Plugins', 99);
  assert.ok(asked > 3_000, `${asked} paths asked`);
});

test('1,000 generated files (anchors, aliases, merge keys, block scalars, flow lists, separators): the same places as the eager walk', async () => {
  let files = 0;
  let asked = 0;
  for (let seed = 1; seed <= 1_000; seed++) {
    const text = generatedFile(seed);
    if (!parseYamlFile(text, 'f.yaml').ok) continue;
    asked += await bothWays(text, `seed ${seed}: ${JSON.stringify(text)}`, seed);
    files += 1;
  }
  assert.ok(files > 600 && asked > 50_000, `${files} files, ${asked} paths asked`);
});

test('a document\'s path index is built on the first path asked inside it, not for its start', () => {
  const text = pluginsFile(5);
  const locations = new YamlLocations(text, parseYaml(text, 'f.yaml').events);
  const starts = locations.starts.map((_, n) => locations.offsetOf(n, []));
  assert.deepStrictEqual(starts, eagerLocations(text, parseYaml(text, 'f.yaml').events).map((d) => d.start));
  assert.equal(locations.indexed, 0, 'the documents\' starts need no path index');
  const priority = locations.offsetOf(3, ['spec', 'priority']);
  assert.equal(text.slice(priority, priority + 'priority'.length), 'priority');
  assert.equal(locations.indexed, 1, 'only the document asked about');
  locations.offsetOf(3, ['metadata', 'name']);
  assert.equal(locations.indexed, 1, 'and once');
});
