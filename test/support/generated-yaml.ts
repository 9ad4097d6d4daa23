/**
 * Generated YAML files for the parser's tests (yaml-file-in-turns, yaml-locations): seeded, so that a failure
 * can be replayed, and shaped like what manifests hold, with the syntax that makes parsing hard.
 */
import type { JsonPath, JsonValue } from '../../src/core/json.ts';

/** A small seeded generator (mulberry32), so that a failure can be replayed. */
export function random(seed: number): () => number {
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
export function generatedFile(seed: number): string {
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

/** Every path `value` holds, each followed by one under it that it does not hold (`missing`). */
export function pathsOf(value: JsonValue, at: JsonPath = []): JsonPath[] {
  const children: [string | number, JsonValue][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : value !== null && typeof value === 'object' ? Object.entries(value) : [];
  return [at, [...at, 'missing'], ...children.flatMap(([key, child]) => pathsOf(child, [...at, key]))];
}
