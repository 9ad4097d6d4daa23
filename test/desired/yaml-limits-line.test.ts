/**
 * Every limit on what fsm-gitops reads (file size, UTF-8, NUL bytes, nesting, aliases, merge keys, alias
 * expansion) is reported at the line and column where the file crosses it, not at 1:1: each input
 * here puts the offending construct on line 40.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadEnvironment } from '../../src/desired/load-environment.ts';
import { MemoryRepo } from '../../src/desired/memory-repo.ts';
import { decodeTextFile } from '../../src/desired/text-file.ts';
import { parseYamlFile } from '../../src/desired/yaml-file.ts';
import type { EnvironmentConfig } from '../../src/config/repo-config.ts';

/** 39 ordinary lines, so the next line written is line 40. */
const LINES_1_TO_39 = Array.from({ length: 39 }, (_, i) => `key${i}: value`).join('\n') + '\n';

function limitAt(text: string): [string, number, number] {
  const result = parseYamlFile(text, 'f.yaml');
  assert.ok(!result.ok, 'the limit is reported');
  return [result.code, result.line, result.column];
}

test('nesting deeper than 64 levels: at the bracket that goes one level too deep', () => {
  assert.deepEqual(limitAt(`${LINES_1_TO_39}deep: ${'['.repeat(70)}${']'.repeat(70)}\n`), ['yaml-limit', 40, 70]);
});

test('more than 1,000 aliases: at the 1,001st alias', () => {
  const [code, line, column] = limitAt(`${LINES_1_TO_39}a: [&x 1, ${Array(1001).fill('*x').join(', ')}]\n`);
  assert.deepEqual([code, line], ['yaml-limit', 40]);
  assert.equal(column, 'a: [&x 1, '.length + 1000 * '*x, '.length + 2, 'the column of the name of the alias over the limit (js-yaml marks it after the *)');
});

test('a merge-key flood: at the merge that passes 10,000 merge steps, with a message that is not "syntax error"', () => {
  const merges = Array.from({ length: 6000 }, () => '{<<: {x: 1}}').join(', ');
  const result = parseYamlFile(`${LINES_1_TO_39}items: [${merges}]\n`, 'f.yaml');
  assert.ok(!result.ok);
  assert.deepEqual([result.code, result.line], ['yaml-limit', 40]);
  assert.ok(result.column > 40_000, `well into line 40, not its start (column ${result.column})`);
  assert.doesNotMatch(result.message, /syntax error/);
  assert.match(result.message, /merge/);
});

test('a merge key of more than 100 mappings: at its line', () => {
  const [code, line] = limitAt(`${LINES_1_TO_39.replace('key0: value', 'base: &b {x: 1}')}m: {<<: [${Array(101).fill('*b').join(', ')}]}\n`);
  assert.deepEqual([code, line], ['yaml-limit', 40]);
});

test('an alias bomb: at the alias whose expansion passes 1,000,000 values', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (const [name, previous] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']]) bomb.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
  const header = Array.from({ length: 34 }, (_, i) => `key${i}: value`).join('\n');
  const [code, line, column] = limitAt(`${header}\n${bomb.join('\n')}\n`);
  // Lines 36-39 add 123,400 values; on line 40 each *e adds 111,110, and the 8th passes the limit.
  assert.deepEqual([code, line, column], ['yaml-limit', 40, 'f: &f ['.length + 7 * '*e, '.length + 1]);
});

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

test('a NUL byte: at its line and column', () => {
  const result = decodeTextFile(bytes(`${LINES_1_TO_39}name: ab\u0000c\n`));
  assert.ok(!result.ok);
  assert.deepEqual([result.code, result.line, result.column], ['file-not-text', 40, 9]);
});

test('a byte that is not UTF-8: at its line, and its column counted in characters', () => {
  const text = bytes(`${LINES_1_TO_39}name: é?\n`);
  text[text.lastIndexOf(0x3f)] = 0xff; // the '?' becomes a byte no UTF-8 sequence holds
  const result = decodeTextFile(text);
  assert.ok(!result.ok);
  assert.deepEqual([result.code, result.line, result.column], ['file-not-text', 40, 8], 'é is one column, though two bytes');
});

test('a file over the size limit, when read: at the line holding the first byte past the limit', () => {
  const text = bytes(`${LINES_1_TO_39}${'x'.repeat(100)}\n`);
  const limit = bytes(LINES_1_TO_39).length + 50;
  const result = decodeTextFile(text, limit);
  assert.ok(!result.ok);
  assert.deepEqual([result.code, result.line, result.column], ['file-too-large', 40, 51]);
});

test('the environment loader reports a limit at its line, in the file it is about', async () => {
  const environment = { name: 'staging', path: 'env' } as EnvironmentConfig;
  const repo = new MemoryRepo({
    'env/deep.yaml': `${LINES_1_TO_39}deep: ${'['.repeat(70)}${']'.repeat(70)}\n`,
    'env/binary.yaml': bytes(`${LINES_1_TO_39}name: ab\u0000c\n`),
  });
  const { findings } = await loadEnvironment(repo, environment);
  const at = (file: string) => findings.filter((f) => f.file === file).map((f) => [f.code, f.line, f.column]);
  assert.deepEqual(at('env/deep.yaml'), [['yaml-limit', 40, 70]]);
  assert.deepEqual(at('env/binary.yaml'), [['file-not-text', 40, 9]]);
});
