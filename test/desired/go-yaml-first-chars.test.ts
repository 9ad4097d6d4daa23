import assert from 'node:assert/strict';
import { test } from 'node:test';
import { differentReadings, GO_FIRST_CHARS, mayReadDifferently, resolveCoreScalar, resolveGoScalar } from '../../src/desired/go-yaml-scalars.ts';
import { parseYamlFile } from '../../src/desired/yaml-file.ts';

/** Plain scalars of every form the two readers know, and some that look close to one. */
const SCALARS = [
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'],
  ...['', '~', 'null', 'Null', 'NULL', '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF'],
  ...['0', '7', '08', '0777', '0o17', '0x1F', '0X1f', '0b101', '-0b11', '+12', '-12', '1_000', '100', '999999999999999', '1000000000000000', '9223372036854775808', '18446744073709551615', '18446744073709551616'],
  ...['.5', '-.5', '1.', '1e3', '1E-3', '+1.5e+2', '12e', '1:30', '2024-01-02', '0x', '-', '+', '.', '1.2.3', '1_000.5'],
  ...['bench-fg-0001', 'plugin.flomesh.io/v1alpha1', 'Plugin', 'yes please', 'nope', 'tru', 'o', 'x', 'Infinity', 'NaN', 'é', '€5', '_1', ' 1'],
];

test("each Go tag's first characters cover every scalar it resolves, so js-yaml skipping the others changes nothing", () => {
  for (const text of SCALARS) {
    const { kind } = resolveGoScalar(text);
    if (kind === 'bool' || kind === 'int' || kind === 'float') assert.ok(GO_FIRST_CHARS[kind].includes(text.charAt(0)), `${JSON.stringify(text)} is a ${kind}`);
  }
});

test('a scalar that cannot read differently is the same string to Helm and to YAML 1.2 tools', () => {
  for (const text of SCALARS) {
    if (mayReadDifferently(text)) continue;
    assert.deepEqual(resolveGoScalar(text), { kind: 'str', value: text }, text);
    assert.deepEqual(resolveCoreScalar(text), { kind: 'str', value: text }, text);
  }
});

test('a YAML file reads each plain scalar as resolveGoScalar does (the schema with first characters), short decimals and long ones alike', () => {
  // Those YAML reads as plain scalars after `key: ` (not an indicator, a comment or a sequence entry).
  const plain = SCALARS.filter((text) => text !== '' && !/^(?:[\s:#&*!|>'"%@`,[\]{}?]|-(?:\s|$))|: |\s$/.test(text));
  const parsed = parseYamlFile(plain.map((text, i) => `k${i}: ${text}`).join('\n'), 'f.yaml');
  assert.ok(parsed.ok);
  const value = parsed.documents[0]!.value as Record<string, unknown>;
  plain.forEach((text, i) => assert.deepEqual(value[`k${i}`], resolveGoScalar(text).value, text));
  assert.equal(value[`k${plain.indexOf('999999999999999')}`], 999999999999999);
  assert.equal(value[`k${plain.indexOf('1000000000000000')}`], 1000000000000000);
});

test('differentReadings() finds exactly the scalars both readers resolve to different values, with its shortcuts', () => {
  // Past uint64, `0x`/`0o` numbers are strings to Helm but numbers to YAML 1.2: a string to Helm is not always one to both.
  const huge = ['0x1FFFFFFFFFFFFFFFF', '0o7777777777777777777777777', '-0x1', '0o8', '0b2', '+0x10', '.e1', '-', '+.', '1__0', '0_7'];
  const alphabet = [...'0189+-._xobeEyYnN~ a'];
  const next = ((state) => () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)(7);
  const random = Array.from({ length: 5_000 }, () => Array.from({ length: 1 + Math.floor(next() * 6) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
  let different = 0;
  for (const text of [...SCALARS, ...huge, ...random]) {
    const helm = resolveGoScalar(text);
    const yaml12 = resolveCoreScalar(text);
    const expected = mayReadDifferently(text) && !Object.is(helm.value, yaml12.value) ? { helm, yaml12 } : undefined;
    assert.deepStrictEqual(differentReadings(text), expected, JSON.stringify(text));
    if (expected) different += 1;
  }
  assert.ok(different > 150, `${different} scalars read differently`);
  assert.deepStrictEqual(differentReadings('0x1FFFFFFFFFFFFFFFF')?.helm, { kind: 'str', value: '0x1FFFFFFFFFFFFFFFF' });
});
