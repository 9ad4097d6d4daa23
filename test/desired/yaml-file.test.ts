import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseYamlFile } from '../../src/desired/yaml-file.ts';

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

test('keeps YAML 1.2 core scalars: a date stays a string, yes stays a string', () => {
  const result = parseYamlFile('when: 2024-01-02\nanswer: yes\nport: 8080\n', 'f.yaml');
  assert.ok(result.ok);
  assert.deepEqual(result.documents[0]!.value, { when: '2024-01-02', answer: 'yes', port: 8080 });
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
