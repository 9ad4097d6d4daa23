import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseYamlFile } from '../../src/desired/yaml-file.ts';
import { resolveGoScalar } from '../../src/desired/go-yaml-scalars.ts';

test('maps JSON paths in every document to their lines and columns', () => {
  const text = ['# comment', 'apiVersion: v1', 'spec:', '  list:', '    - a: 1', '      b: "two"', '    - plain', '---', 'other: x', ''].join('\n');
  const result = parseYamlFile(text, 'f.yaml');
  assert.ok(result.ok);
  const [first, second] = result.documents;
  assert.deepEqual(first!.value, { apiVersion: 'v1', spec: { list: [{ a: 1, b: 'two' }, 'plain'] } });
  assert.deepEqual(first!.locate(['spec', 'list', 0, 'b']), { line: 6, column: 7 });
  assert.deepEqual(first!.locate(['spec', 'list', 1]), { line: 7, column: 7 });
  assert.deepEqual(first!.locate(['spec', 'missing', 'deeper']), { line: 3, column: 1 }, 'nearest existing ancestor');
  assert.equal(second!.line, 9);
  assert.deepEqual(second!.locate(['other']), { line: 9, column: 1 });
});

test('reads scalars as Helm and kubectl do (go-yaml v2, YAML 1.1): a date stays a string, yes is true, 0777 is octal', () => {
  const text = 'when: 2024-01-02\nanswer: yes\nport: 8080\nmode: 0777\nbig: 1_000\nflag: 0b101\noff: n\nclock: 1:30\nquoted: "yes"\ntagged: !!str on\nexp: 1e3\n';
  const result = parseYamlFile(text, 'f.yaml');
  assert.ok(result.ok);
  assert.deepEqual(result.documents[0]!.value, {
    when: '2024-01-02', answer: true, port: 8080, mode: 511, big: 1000, flag: 5, false: false, clock: '1:30', quoted: 'yes', tagged: 'on', exp: 1000,
  });
  assert.deepEqual(
    result.yaml11.map((s) => [s.text, s.line, s.column, s.helm.value, s.yaml12.value]),
    [['yes', 2, 9, true, 'yes'], ['0777', 4, 7, 511, 777], ['1_000', 5, 6, 1000, '1_000'], ['0b101', 6, 7, 5, '0b101'], ['off', 7, 1, false, 'off'], ['n', 7, 6, false, 'n']],
    'every plain scalar a YAML 1.2 tool reads differently, at its line; quoted and tagged ones are not',
  );
});

test('YAML 1.1 spellings are found wherever a plain scalar stands (keys, flow lists, continued lines), and only there', () => {
  const text = 'yes: 1\nlist: [a, on, "no", b]\nlong: 0777\n  more\nwords: value yes\nempty:\nsign: -0b1\n';
  const result = parseYamlFile(text, 'f.yaml');
  assert.ok(result.ok);
  assert.deepEqual(
    result.yaml11.map((s) => [s.text, s.line, s.column]),
    [['yes', 1, 1], ['on', 2, 11], ['-0b1', 7, 7]],
    'a scalar is judged by its whole value: `0777 more` and `value yes` are strings, and an empty one null, either way',
  );
});

test('the Go scalar rules follow strconv: hex, 0o, signs, int64/uint64 range, then floats', () => {
  const cases: [string, unknown][] = [['0x1F', 31], ['0o17', 15], ['-0b11', -3], ['+12', 12], ['08', 8], ['.5', 0.5], ['-.5', -0.5], ['1.', 1], ['18446744073709551615', 18446744073709551615], ['0x10000000000000000', '0x10000000000000000'], ['12e', '12e'], ['Yes', true], ['NO', false], ['~', null], ['yes please', 'yes please']];
  for (const [text, expected] of cases) assert.deepEqual(resolveGoScalar(text).value, expected, text);
});

test('merge keys are resolved as Helm and kubectl resolve them; the mapping\'s own keys win', () => {
  const text = 'defaults: &d {allowCredentials: false, maxAge: 60}\nconfig:\n  <<: *d\n  maxAge: 120\nboth:\n  maxAge: 5\n  <<: [*d, {extra: 1}]\n';
  const result = parseYamlFile(text, 'f.yaml');
  assert.ok(result.ok);
  const value = result.documents[0]!.value as Record<string, unknown>;
  assert.deepEqual(value['config'], { allowCredentials: false, maxAge: 120 });
  assert.deepEqual(value['both'], { maxAge: 5, allowCredentials: false, extra: 1 });
  assert.doesNotMatch(JSON.stringify(value), /<</);
});

test('a syntax error names its line and column', () => {
  const result = parseYamlFile('a: 1\nb: [1, 2\nc: 3\n', 'f.yaml');
  assert.equal(result.ok, false);
  assert.ok(!result.ok && result.code === 'yaml-syntax' && result.line >= 2);
});

test('a duplicate key is an error naming the key and the line of the second one', () => {
  const result = parseYamlFile('spec:\n  enableEgress: true\n  enableEgress: false\n', 'f.yaml');
  assert.ok(!result.ok);
  assert.equal(result.code, 'yaml-syntax');
  assert.equal(result.line, 3);
  assert.match(result.message, /duplicate key "enableEgress"/);
});

test('an alias bomb is refused as a limit, quickly', () => {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(',')}]`);
  }
  const result = parseYamlFile(levels.join('\n'), 'bomb.yaml');
  assert.ok(!result.ok);
  assert.equal(result.code, 'yaml-limit');
  assert.match(result.message, /alias/);
});

test('nesting beyond the depth limit is a limit, not a stack overflow', () => {
  const result = parseYamlFile(`${'['.repeat(5000)}${']'.repeat(5000)}`, 'deep.yaml');
  assert.ok(!result.ok);
  assert.equal(result.code, 'yaml-limit');
});

test('modest aliases are fine', () => {
  const result = parseYamlFile('base: &b {cpu: 1}\nother: *b\n', 'f.yaml');
  assert.ok(result.ok);
  assert.deepEqual(result.documents[0]!.value, { base: { cpu: 1 }, other: { cpu: 1 } });
});

test('a large document without aliases is read, however many values it holds (a cluster-wide kubectl List)', () => {
  const items = Array.from({ length: 120_000 }, (_, i) => `- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c${i}, namespace: default}\n  data: {a: "1", b: "2"}`);
  const result = parseYamlFile(`apiVersion: v1\nkind: List\nitems:\n${items.join('\n')}\n`, 'snapshot.yaml', { locations: false });
  assert.ok(result.ok, result.ok ? '' : result.message);
  assert.equal(((result.documents[0]!.value as { items: unknown[] }).items).length, 120_000);
});

test('the alias limit counts what aliases add, and points at the alias where the count passes the limit', () => {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 7; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  const result = parseYamlFile(`# a bomb\nok: 1\n${levels.join('\n')}\n`, 'bomb.yaml');
  assert.ok(!result.ok);
  assert.equal(result.code, 'yaml-limit');
  // Lines 4-7 add 123,400 values; on line 8 (f: [*e,...]) each *e adds 111,110: the 8th passes 1,000,000.
  assert.deepEqual([result.line, result.column], [8, 29], 'the alias that crosses the limit, not 1:1 nor the first alias');
  assert.match(result.message, /aliases expand to more than 1,000,000 values/);
});
