import { CORE_SCHEMA, defineScalarTag, mergeTag, NOT_RESOLVED, type Schema } from 'js-yaml';

/**
 * Plain (unquoted, untagged) scalars the way Helm and kubectl read them.
 *
 * Helm 3 reads values.yaml with sigs.k8s.io/yaml (chartutil.ReadValues), and kubectl decodes manifests with
 * the same package (apimachinery's yaml.ToJSON); both resolve scalars with go-yaml v2, which follows YAML 1.1:
 * `yes`/`no`/`on`/`off`/`y`/`n` are booleans (kubernetes/kubernetes#14948, Shopify/krane#818: an env value
 * `y` is refused as a bool), `0777` is octal, `0b101` binary, `1_000` an int, and `<<` a merge key. A timestamp
 * stays a string when decoded into an untyped value, as it is here. Sexagesimal numbers (`1:30`) are strings.
 * Resolution rules from go-yaml v2 resolve.go: a fixed table of words, then Go's strconv.ParseInt/ParseUint
 * with base 0 after removing `_`, then a float of the form `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
 */
export type GoScalar = { kind: 'null'; value: null } | { kind: 'bool'; value: boolean } | { kind: 'int' | 'float'; value: number } | { kind: 'str'; value: string };

const WORDS: ReadonlyMap<string, GoScalar> = new Map<string, GoScalar>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((w): [string, GoScalar] => [w, { kind: 'bool', value: true }]),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((w): [string, GoScalar] => [w, { kind: 'bool', value: false }]),
  ...['', '~', 'null', 'Null', 'NULL'].map((w): [string, GoScalar] => [w, { kind: 'null', value: null }]),
  ...['.nan', '.NaN', '.NAN'].map((w): [string, GoScalar] => [w, { kind: 'float', value: Number.NaN }]),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((w): [string, GoScalar] => [w, { kind: 'float', value: Infinity }]),
  ...['-.inf', '-.Inf', '-.INF'].map((w): [string, GoScalar] => [w, { kind: 'float', value: -Infinity }]),
]);

/** Go's strconv.ParseInt / ParseUint with base 0 (sign, then 0x / 0o / 0b / leading-0 octal / decimal). */
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** A decimal that is surely a safe integer (at most 15 digits), the common case: read without BigInt. */
const SHORT_DECIMAL = /^[1-9][0-9]{0,14}$/;

export function resolveGoScalar(text: string): GoScalar {
  const word = WORDS.get(text);
  if (word) return word;
  if (SHORT_DECIMAL.test(text)) return { kind: 'int', value: Number(text) };
  const first = text.charAt(0);
  if (first === '.') {
    const value = Number(text);
    return GO_FLOAT.test(text) && Number.isFinite(value) ? { kind: 'float', value } : { kind: 'str', value: text };
  }
  if (!/[-+0-9]/.test(first)) return { kind: 'str', value: text };
  const plain = text.replaceAll('_', '');
  const int = GO_INT.exec(plain);
  if (int) {
    const digits = int[2]!;
    const magnitude = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits.toLowerCase());
    const value = int[1] === '-' ? -magnitude : magnitude;
    if (value >= INT64_MIN && value <= UINT64_MAX) return { kind: 'int', value: Number(value) };
  }
  if (GO_FLOAT.test(plain)) return { kind: 'float', value: Number(plain) };
  return { kind: 'str', value: text };
}

/**
 * The YAML 1.2 core schema's reading of a plain scalar (yaml.org/spec/1.2.2 §10.3.2), which js-yaml, yq and most
 * editors use: to tell where Helm and kubectl read a file differently from them.
 */
export function resolveCoreScalar(text: string): GoScalar {
  if (/^(~|null|Null|NULL|)$/.test(text)) return { kind: 'null', value: null };
  if (/^(true|True|TRUE)$/.test(text)) return { kind: 'bool', value: true };
  if (/^(false|False|FALSE)$/.test(text)) return { kind: 'bool', value: false };
  if (/^[-+]?[0-9]+$/.test(text)) return { kind: 'int', value: Number(text) };
  if (/^0o[0-7]+$/.test(text)) return { kind: 'int', value: Number.parseInt(text.slice(2), 8) };
  if (/^0x[0-9a-fA-F]+$/.test(text)) return { kind: 'int', value: Number.parseInt(text.slice(2), 16) };
  if (GO_FLOAT.test(text)) return { kind: 'float', value: Number(text) };
  if (/^[-+]?(\.inf|\.Inf|\.INF)$/.test(text)) return { kind: 'float', value: text.startsWith('-') ? -Infinity : Infinity };
  if (/^(\.nan|\.NaN|\.NAN)$/.test(text)) return { kind: 'float', value: Number.NaN };
  return { kind: 'str', value: text };
}

/**
 * The first characters a plain scalar of each kind can have in resolveGoScalar: bools are words of WORDS,
 * ints start like a Go integer, floats like a Go float or `.inf`/`.nan`. js-yaml tries a tag only on scalars
 * starting with one of them (so `bench-plugin` is not read three times over).
 */
export const GO_FIRST_CHARS: Readonly<Record<'bool' | 'int' | 'float', readonly string[]>> = {
  bool: [...'yYnNtTfFoO'],
  int: [...'-+0123456789'],
  float: [...'.-+0123456789'],
};

/**
 * Whether Helm (resolveGoScalar) and a YAML 1.2 tool (resolveCoreScalar) may read a plain scalar differently:
 * both read it as its text unless it is empty or starts like a null, bool or number of either.
 */
export function mayReadDifferently(text: string): boolean {
  return text === '' || mayStartDifferently(text.charCodeAt(0));
}

/** The first characters (UTF-16 codes) of mayReadDifferently(): `~`, a bool's, a number's. */
const DIFFERENT_FIRST = new Set([...'~', ...GO_FIRST_CHARS.bool, ...GO_FIRST_CHARS.float].map((c) => c.charCodeAt(0)));

/** Whether a non-empty plain scalar starting with character `code` may read differently (mayReadDifferently()). */
export function mayStartDifferently(code: number): boolean {
  return DIFFERENT_FIRST.has(code);
}

/**
 * How Helm (resolveGoScalar) and a YAML 1.2 tool (resolveCoreScalar) read a plain scalar, when they read it
 * differently (`08` is 8 either way, an int or a float: the same); undefined when they agree. Two agreements
 * are seen without resolveCoreScalar: a short decimal is the same int to both, and a string to Helm that does
 * not start like a number is a string to YAML 1.2 too (its nulls and bools are all words Helm knows, its
 * numbers start with a sign, a digit or a dot; `0x` + 17 digits is a string to Helm only, past uint64).
 */
export function differentReadings(text: string): { helm: GoScalar; yaml12: GoScalar } | undefined {
  if (!mayReadDifferently(text)) return undefined;
  const helm = resolveGoScalar(text);
  if (helm.kind === 'str' ? !NUMBER_FIRST.test(text) : helm.kind === 'int' && SHORT_DECIMAL.test(text)) return undefined;
  const yaml12 = resolveCoreScalar(text);
  return Object.is(helm.value, yaml12.value) ? undefined : { helm, yaml12 };
}

const NUMBER_FIRST = /^[-+.0-9]/;

function goTag<K extends 'bool' | 'int' | 'float'>(kind: K, tagName: string) {
  return defineScalarTag(tagName, {
    implicit: true,
    implicitFirstChars: [...GO_FIRST_CHARS[kind]],
    resolve: (source) => {
      const scalar = resolveGoScalar(source);
      return scalar.kind === kind ? scalar.value : NOT_RESOLVED;
    },
    identify: () => false,
  });
}

/** js-yaml's core schema with go-yaml v2's booleans, ints and floats, and merge keys (`<<: *anchor`). */
export const GO_YAML_SCHEMA: Schema = CORE_SCHEMA.withTags(
  mergeTag,
  goTag('bool', 'tag:yaml.org,2002:bool'),
  goTag('int', 'tag:yaml.org,2002:int'),
  goTag('float', 'tag:yaml.org,2002:float'),
);
