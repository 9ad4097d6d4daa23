/**
 * Every format check and every regular expression that reads text from a pull request, a cluster, a
 * comment or an API server finishes on 1 MB adversarial inputs: long runs of digits, repeated separators
 * and near-matches, the shapes that make a backtracking expression or a rescanning loop quadratic (a
 * quadratic check takes hours on 1 MB; these take milliseconds). The timeout is a bound, not a benchmark.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import { STRING_FORMATS } from '../../src/schema/openapi-formats.ts';
import { dnsLabelProblem, dnsSubdomainProblem, isDnsLabel, isDnsSubdomain, labelValueProblem, objectNameProblem, qualifiedNameProblem } from '../../src/core/names.ts';
import { resolveCoreScalar, resolveGoScalar } from '../../src/desired/go-yaml-scalars.ts';
import { complexKeyLine, unclosedHint } from '../../src/desired/yaml-hints.ts';
import { redactShapes } from '../../src/redact/secret-shapes.ts';
import { isSecretKey, keyWords, normalizeKey } from '../../src/redact/secret-keys.ts';
import { Redactor } from '../../src/redact/redactor.ts';
import { displayUrl } from '../../src/redact/display-url.ts';
import { htmlText, markdownCode, markdownMessage, markdownText, oneLine, tableCode } from '../../src/render/markdown-escape.ts';
import { fence } from '../../src/render/markdown-code.ts';
import { cutMarkdown } from '../../src/render/markdown-cut.ts';
import { clip, limitAnnotationMessage, limitCheckTitle } from '../../src/render/github-limits.ts';
import { terminalSafe, visible } from '../../src/render/terminal-text.ts';
import { parseComment, printable } from '../../src/commands/parse-command.ts';
import { parseFieldPath } from '../../src/plan/dry-run-findings.ts';
import { parseTypedPatchFailure, resolveTypedPath } from '../../src/plan/typed-patch-path.ts';
import { interfaceNameProblem, ipRangeProblem, portProblem } from '../../src/fsm/net.ts';
import { chartBump } from '../../src/fsm/chart-version.ts';
import { environmentsShown, sectionOf, withEnvironmentSection, withLogLine } from '../../src/github/sticky-comment.ts';
import { failureText } from '../../src/queue/delivery-log.ts';
import { decodeHelmReleaseSecret } from '../../src/live/helm-release.ts';
import { syntaxError } from '../../src/fsm/rules/pipyscript.ts';
import { withoutObjectEcho } from '../../src/kube/chart-dry-run.ts';

const SIZE = 1024 * 1024;
const run = (unit: string, tail = ''): string => unit.repeat(Math.ceil(SIZE / unit.length)) + tail;

/** Inputs that make a backtracking or rescanning check quadratic: runs, repeated separators, near-matches. */
const INPUTS: Record<string, string> = {
  digits: run('1'),
  'digits and dots': run('1.', 'x'),
  'duration near-miss': run('1', 's1'),
  'letters then a bang': run('a', '!'),
  'capitals then a word': run('A', 'Ab'),
  'dotted words': run('a.', '!'),
  'dashed words': run('a-', '!'),
  'newlines then a letter': run('\n', 'x'),
  backticks: run('`', 'x'),
  'open brackets': run('['),
  'scheme near-miss': run('a.', '://x'),
  'DSN near-miss': run('a:b', '@tcp'),
  'secret names': run('password-'),
  'token words': run('tok-en_token'),
  'JWT near-miss': run('eyJ-'),
  'setter calls': run('setPassword('),
  'concatenated parts': 'password = "x"' + run(' + "a'),
  'Digest parameters': 'Digest ' + run('a=b, '),
  'lowercase schemes': run('token 1'),
  'assignments to names': run('a = '),
  'credential lists': run('password: ['),
  'unterminated literals': run('password = "a'),
  'escapes after a key': run('password: "\\'),
  'by-name setter calls': run("set('password', "),
  'fallbacks': run('PASSWORD || '),
  'quoted keys': run('"a": "'),
  'unquoted key values': run('token: 1'),
  'Slack token prefixes': run('xoxb-', '_'),
  'Stripe key prefixes': run('sk_live_', '_'),
  'ODBC braces': run('Pwd={'),
  'braces after a credential word': 'token ' + run('x={'),
  'open brackets after a credential': 'password = ' + run('(['),
  'setters without a close': run('setPassword(a, '),
  'strings after a key': run('"password": "a\\'),
  'quotes after an assignment': 'password = ' + run('"\'`'),
  'strings deep in brackets': 'password = ' + 'x['.repeat(SIZE / 4) + run("'a'"),
  'spaced setter calls': run('setToken ('),
  'strings before comparisons': run('"a" === a.'),
  'long options': run('--password '),
  'Cookie headers': 'Cookie: ' + run('a=b;'),
  'curl near-miss': run('curl -u '),
  'PEM headers': run('-----BEGIN RSA PRIVATE KEY-----'),
  'block scalar near-miss': run(': |0'),
  markers: run('<!-- fsm-gitops:status -->\n'),
  'names a credential reads': 'token = ' + run('a + b'),
  'credentials read from names': run('token = a; a = "x"; '),
  'interpolated names': 'token = `' + run('${a} '),
  'names then spaces': 'password = ' + run(`a${' '.repeat(63)}`, '.'),
  'groups after a credential': 'token = ' + run('(k + '),
  'calls in groups': 'token = ' + run('(f('),
  'open interpolations': 'token = `' + run('${'),
  'appended credentials': run('k += '),
};

/** A plan's redactor: the user's keys, and credentials learnt from the repository. */
function planRedactor(): Redactor {
  const redactor = new Redactor(['custom-key']);
  redactor.learn('X', { token: 'known-token-value', password: '1111' });
  return redactor;
}

/** Each check as it reads user text; a check with several inputs takes the text in each. */
const CHECKS: Record<string, (text: string) => unknown> = {
  ...Object.fromEntries(Object.entries(STRING_FORMATS).map(([name, format]) => [`format ${name}`, (text: string) => format.test(text)])),
  isDnsLabel, isDnsSubdomain, dnsLabelProblem, dnsSubdomainProblem, qualifiedNameProblem, labelValueProblem,
  objectNameProblem: (text) => objectNameProblem(text),
  resolveGoScalar, resolveCoreScalar,
  unclosedHint: (text) => unclosedHint(text, text.length),
  complexKeyLine,
  redactShapes, keyWords, normalizeKey,
  isSecretKey: (text) => isSecretKey(text),
  'Redactor.text': (text) => planRedactor().text(text),
  withoutObjectEcho: (text) => withoutObjectEcho(`Invalid value: "${text}": why`),
  'Redactor.value': (text) => planRedactor().value('PluginConfig', { [text.slice(0, 1000)]: text, headers: [{ name: text.slice(0, 1000), value: 'v' }] }),
  displayUrl,
  markdownText, markdownCode, markdownMessage, htmlText, oneLine, tableCode,
  fence: (text) => fence('yaml', text),
  cutMarkdown: (text) => cutMarkdown(text, 60_000),
  clip: (text) => clip(text, 1000),
  limitCheckTitle, limitAnnotationMessage,
  visible, terminalSafe,
  parseComment: (text) => parseComment(`/fsm plan ${text}`),
  'parseComment (one line)': parseComment,
  printable,
  parseFieldPath,
  parseTypedPatchFailure,
  resolveTypedPath: (text) => resolveTypedPath({ spec: { a: [{ name: 'x' }] } }, text),
  ipRangeProblem, portProblem, interfaceNameProblem,
  'PipyJS syntaxError': syntaxError,
  chartBump: (text) => chartBump(text, `${text}1`),
  sectionOf: (text) => sectionOf(text, 'status'),
  environmentsShown,
  withLogLine: (text) => withLogLine(text, text.slice(0, 100)),
  withEnvironmentSection: (text) => withEnvironmentSection(text, 'staging', '<!-- fsm-gitops:env staging -->\nx\n<!-- /fsm-gitops:env staging -->'),
  failureText: (text) => failureText(new Error(text)),
  decodeHelmReleaseSecret: (text) => {
    try {
      return decodeHelmReleaseSecret({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sh.helm.release.v1.fsm.v1', namespace: 'fsm-system' }, type: 'helm.sh/release.v1', data: { release: text } });
    } catch (error) {
      return error;
    }
  },
};

for (const [name, check] of Object.entries(CHECKS)) {
  // Between inputs the test yields, so the timeout can end it; a quadratic check would not finish one input.
  test(`${name} is linear on 1 MB adversarial inputs`, { timeout: 120_000 }, async () => {
    for (const [shape, input] of Object.entries(INPUTS)) {
      assert.doesNotThrow(() => check(input), `${name} on ${shape}`);
      await setImmediate();
    }
  });
}

test('a 1 MB credential is learnt and then masked wherever a message quotes it', { timeout: 120_000 }, () => {
  const redactor = planRedactor();
  const credential = INPUTS['JWT near-miss']!;
  const masked = redactor.value('PluginConfig', { headers: [{ name: 'Authorization', value: credential }] });
  assert.deepEqual(masked, { headers: [{ name: 'Authorization', value: '••••••' }] });
  assert.equal(redactor.text(`refused: ${credential}.`), 'refused: ••••••.');
});

test('a comment wrapped in backticks is still a command; unbalanced backticks are not stripped', () => {
  assert.deepEqual(parseComment('`/fsm plan staging`'), parseComment('/fsm plan staging'));
  assert.deepEqual(parseComment('```/fsm plan staging```'), parseComment('/fsm plan staging'));
  assert.equal(parseComment('``/fsm plan staging`').kind, 'not-a-command');
});

test('field paths with unclosed brackets and dotted keys resolve as before', () => {
  assert.deepEqual(parseFieldPath('spec.chains[0].name[x'), ['spec', 'chains', 0, 'name', 'x']);
  assert.deepEqual(parseFieldPath('metadata.labels[app.kubernetes.io/name]'), ['metadata', 'labels', 'app.kubernetes.io/name']);
  const object = { metadata: { labels: { 'app.kubernetes.io/name': 'x' } }, spec: { chains: [{ name: 'a' }] } };
  assert.deepEqual(resolveTypedPath(object, '.metadata.labels.app.kubernetes.io/name'), ['metadata', 'labels', 'app.kubernetes.io/name']);
  assert.deepEqual(resolveTypedPath(object, '.spec.chains[name="a"].name[['), ['spec', 'chains', 0, 'name']);
});

test('credential shapes are masked as before: URL user information, MySQL DSNs, JWTs, key names', () => {
  assert.equal(redactShapes('see x.postgres://user:pw@db/x'), 'see x.postgres://••••••@db/x');
  assert.equal(redactShapes('1.http://u:p@h'), '1.http://••••••@h');
  assert.equal(redactShapes('_http://u:p@h'), '_http://u:p@h');
  assert.equal(redactShapes('dsn root:hunter2@tcp(db:3306)/x'), 'dsn root:••••••@tcp(db:3306)/x');
  assert.equal(redactShapes('a eyJhbGciOi.eyJzdWIiOi.sig b -eyJhbGciOi.eyJzdWIiOi.c'), 'a •••••• b -••••••');
  assert.equal(redactShapes('eyJ-eyJhbGciOi.eyJzdWIiOi.sig'), '••••••');
  assert.equal(redactShapes('x-db-password = s3cret; -token: "t"'), 'x-db-password = ••••••; -token: "••••••"');
  assert.deepEqual(keyWords('HTTPHeaderAPIKey'), ['http', 'header', 'api', 'key']);
});

test('the rewritten checks still accept and refuse what they did', () => {
  const duration = STRING_FORMATS['duration']!;
  for (const ok of ['0', '-0', '+0', '90s', '500ms', '1h30m', '1.5h', '.5s', '5.s', '-1m', '1µs', '1μs', '1us', '2ns', '1h2m3s4ms5us6ns']) assert.ok(duration.test(ok), ok);
  for (const bad of ['', '1', 's', '1x', '1s1', '.s', '1..5s', '1.5', '+', '-', 'h1', '1 s', '1s ', '1e3s', '0x']) assert.ok(!duration.test(bad), bad);
});
