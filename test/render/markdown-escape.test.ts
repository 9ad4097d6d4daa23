/**
 * Hostile strings in every Markdown context the bot writes (text, code span, HTML, table cell), rendered with a
 * real CommonMark + GFM parser (micromark): each must come out as the same single piece of text, with no
 * element, link, mention or reference the bot did not write.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import type { Plan, ResourceChange } from '../../src/plan/plan-types.ts';
import { renderCheckRun } from '../../src/render/check-run.ts';
import { htmlText, markdownCode, markdownMessage, markdownText, oneLine, tableCell, tableCode } from '../../src/render/markdown-escape.ts';
import { fence } from '../../src/render/markdown-code.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { redactShapes } from '../../src/redact/secret-shapes.ts';
import { CREDENTIAL_SHAPES } from '../support/credential-shapes.ts';

export const HOSTILE = [
  'a`b', '``x`` y', '`lead', 'trail`', '</details><h1>x</h1>', '</summary>', '@octocat', '@org/team', '#1', 'org/repo#12', 'GH-7',
  '[click](https://evil.example)', '![img](https://evil.example/x.png)', 'https://evil.example', 'www.evil.example', 'a_www.evil.example', 'acme/_www.evil.example#3', 'x*www.evil.example', 'x~www.evil.example', 'x@evil.example',
  'line1\n# Heading\n@team', 'line\r\n> quote', 'a|b', '**bold** _em_ ~~del~~', '<img src=x onerror=alert(1)>', '&lt;b&gt; &amp;',
  '$x^2$', '\\`', '# h', '- li', '+ li', '1. ol', '2) ol', '===', '> q', '  # indented', '<!-- c -->', '\u001b[31mred\u001b[0m', 'a\u2028b', ' spaced ',
];

const render = (markdown: string): string => micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: true });
const ENTITIES: Record<string, string> = { quot: '"', lt: '<', gt: '>', amp: '&' };
const decode = (html: string): string =>
  html.replace(/<[^>]*>/g, '').replace(/&(#\d+|quot|lt|gt|amp);/g, (_, e: string) => (e.startsWith('#') ? String.fromCharCode(Number(e.slice(1))) : ENTITIES[e]!));
const tags = (html: string): string[] => [...html.matchAll(/<\/?([a-z0-9]+)/g)].map((m) => m[1]!);
const opens = (html: string, tag: string): number => [...html.matchAll(/<([a-z0-9]+)/g)].filter((m) => m[1] === tag).length;
const visible = (text: string): string => text.replace(/\u200b/g, '');

/** What GitHub would link or notify: a mention, an issue reference, a URL or www. autolink. */
function assertInert(text: string, what: string): void {
  assert.doesNotMatch(text, /(^|[^\w`])@[\w-]/, `${what}: a mention`);
  assert.doesNotMatch(text, /#\d|GH-\d/i, `${what}: a reference`);
  assert.doesNotMatch(text, /:\/\/|www\./i, `${what}: an autolink`);
}

test('markdownText: one paragraph of the same text, no element, mention, reference or link', () => {
  for (const s of HOSTILE) {
    const html = render(`- item: ${markdownText(s)}`);
    assert.deepEqual(tags(html), ['ul', 'li', 'li', 'ul'], `${JSON.stringify(s)} → ${html}`);
    const text = decode(html).trim();
    assert.equal(visible(text), `item: ${oneLine(s)}`.trim(), JSON.stringify(s));
    assertInert(text, JSON.stringify(s));
  }
});

test('markdownText at the start of a list item opens no block', () => {
  for (const s of HOSTILE) {
    const html = render(`- ${markdownText(s)}`);
    const inner = oneLine(s).trim() === '' ? [] : ['p', 'p'];
    assert.ok(['ul,li,li,ul', ['ul', 'li', ...inner, 'li', 'ul'].join()].includes(tags(html).join()), `${JSON.stringify(s)} → ${html}`);
    assert.equal(visible(decode(html)).trim(), oneLine(s).trim(), JSON.stringify(s));
  }
});

test('markdownCode: exactly one code span holding the text verbatim', () => {
  for (const s of HOSTILE) {
    const html = render(`- ${markdownCode(s)} after`);
    assert.deepEqual(tags(html), ['ul', 'li', 'code', 'code', 'li', 'ul'], `${JSON.stringify(s)} → ${html}`);
    assert.equal(decode(html.match(/<code>(.*)<\/code>/s)![1]!), oneLine(s), JSON.stringify(s));
  }
});

test('markdownMessage: `quoted` parts become code spans, the rest plain text; hostile text around or inside them stays inert', () => {
  const html = render(`- ${markdownMessage('run `helm rollback fsm 7 -n fsm-system` to restore revision 7')}`);
  assert.deepEqual(tags(html), ['ul', 'li', 'code', 'code', 'li', 'ul']);
  assert.equal(decode(html).trim(), 'run helm rollback fsm 7 -n fsm-system to restore revision 7');
  assert.equal(html.match(/<code>(.*)<\/code>/)![1], 'helm rollback fsm 7 -n fsm-system');
  for (const s of HOSTILE) {
    for (const message of [s, `value \`${s}\` refused`, `\`a\` ${s} \`b\``]) {
      const rendered = render(`- ${markdownMessage(message)}`);
      assert.deepEqual(tags(rendered).filter((t) => t !== 'code'), ['ul', 'li', 'li', 'ul'], `${JSON.stringify(message)} → ${rendered}`);
      // The same characters in order; only backticks that quoted a span and the padding of code spans go.
      assert.equal(visible(decode(rendered)).replace(/[`\s]/g, ''), oneLine(message).replace(/[`\s]/g, ''), JSON.stringify(message));
      assertInert(decode(rendered.replace(/<code>.*?<\/code>/g, '')), JSON.stringify(message));
    }
  }
});

test('htmlText: stays inside its element in a <details> block', () => {
  for (const s of HOSTILE) {
    const html = render(`<details><summary><b>${htmlText(s)}</b></summary>\n\n- x\n\n</details>`);
    assert.deepEqual(tags(html), ['details', 'summary', 'b', 'b', 'summary', 'ul', 'li', 'li', 'ul', 'details'], `${JSON.stringify(s)} → ${html}`);
    const inside = html.match(/<b>(.*)<\/b>/s)![1]!;
    assert.equal(visible(decode(inside)), oneLine(s), JSON.stringify(s));
    assertInert(decode(inside), JSON.stringify(s));
  }
});

test('tableCell and tableCode: one row of two cells whatever the text', () => {
  for (const s of HOSTILE) {
    const html = render(`| a | b |\n|---|---|\n| ${tableCell(s)} | ${tableCode(s)} |\n`);
    const row = html.match(/<tbody>(.*)<\/tbody>/s)?.[1] ?? '';
    assert.equal(tags(row).filter((t) => t === 'td').length, 4, `${JSON.stringify(s)} → ${html}`);
    assert.equal(tags(row).filter((t) => !['tr', 'td', 'code'].includes(t)).length, 0, `${JSON.stringify(s)} → ${html}`);
  }
});

function hostileChange(s: string): ResourceChange {
  return {
    action: 'update', kind: 'PluginConfig', apiVersion: 'plugin.flomesh.io/v1alpha1', name: 'cfg', namespace: 'bookinfo', file: `clusters/staging/${s}.yaml`, pending: s,
    fields: [{ path: `spec.config.${s}`, before: s, after: `${s}2` }],
    before: { spec: { config: { [s]: s } } }, after: { spec: { config: { [s]: `${s}2` } } },
  } as ResourceChange;
}

test('the PR comment and the check run keep their shape with hostile file names, keys, values and messages', () => {
  for (const s of HOSTILE) {
    const plan: Plan = {
      environments: [{
        name: 'staging', path: 'clusters/staging', liveSource: 's.yaml', changes: [hostileChange(s)], restarts: [{ kind: 'Deployment', namespace: 'bookinfo', name: s } as never],
        findings: [{ severity: 'error', code: 'schema-type', file: `clusters/staging/${s}.yaml`, line: 3, path: `spec.${s}`, message: `value ${s} is wrong` } as never,
          { severity: 'warning', code: 'drift', file: null, message: `cluster ${s}` } as never],
      }],
    };
    const html = render(renderMarkdown(plan, { notes: [`cluster ${markdownText(s)} is unknown`] }));
    const expected: Record<string, number> = { h1: 0, h2: 1, h3: 1, a: 0, img: 0, strong: 3, em: 0, del: 0, details: 2, summary: 2, b: 1, blockquote: 2, li: 4, pre: s.includes('\n') ? 3 : 1 }; // a finding's further lines go in a fenced block
    for (const [t, n] of Object.entries(expected)) assert.equal(opens(html, t), n, `<${t}> for ${JSON.stringify(s)}:\n${html}`);
    const text = decode(html.replace(/<code>.*?<\/code>|<pre>[\s\S]*?<\/pre>/g, ''));
    assertInert(text, JSON.stringify(s));
    const check = renderCheckRun(plan.environments[0]!, [`cluster ${markdownText(s)}`]);
    const checkHtml = render(`${check.summary}\n\n${check.text}`);
    const inCheck: Record<string, number> = { h1: 0, h2: 0, h4: 1, a: 0, img: 0, details: 0, blockquote: 1, li: 1, pre: 1, em: 1 };
    for (const [t, n] of Object.entries(inCheck)) assert.equal(opens(checkHtml, t), n, `<${t}> in the check run for ${JSON.stringify(s)}:\n${checkHtml}`);
    assertInert(decode(checkHtml.replace(/<code>.*?<\/code>|<pre>[\s\S]*?<\/pre>/g, '')), JSON.stringify(s));
  }
});

test('bidi controls are shown as escapes inline and in fenced blocks, so a value cannot reorder the line around it (Trojan Source)', () => {
  const hostile = '\u202e\u2066moc.live//:sptth\u2069\u2066 ← https://good.example.com\u061c';
  for (const shown of [markdownCode(hostile), markdownText(hostile), fence('diff', `+ allowOrigin: ${hostile}`)]) {
    assert.doesNotMatch(shown, /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u, shown);
    assert.match(shown, /\\{1,2}u202e\\{1,2}u2066moc\.live/, 'shown as escapes (a backslash escaped once more in plain text)');
  }
});

test('a fenced block shows the controls a terminal acts on as escapes, keeping its newlines and tabs: --format markdown reaches a terminal too', () => {
  const shown = fence('yaml', 'namespace: "legacy\n\u001b[1mBOLD\r\u0007"\n\tkept');
  assert.doesNotMatch(shown, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u, shown);
  assert.equal(shown, '```yaml\nnamespace: "legacy\n\\u001b[1mBOLD\\u000d\\u0007"\n\tkept\n```');
});

test('every escaper masks credentials of a known shape before escaping, which would hide them from the masking of GitHub writes', () => {
  for (const { shape, value, secret } of CREDENTIAL_SHAPES) {
    for (const [name, escape] of [['markdownText', markdownText], ['markdownMessage', markdownMessage], ['markdownCode', markdownCode], ['htmlText', htmlText], ['tableCell', tableCell], ['tableCode', tableCode]] as const) {
      const escaped = escape(`cannot read /nonexistent/${value}: no such file`);
      assert.ok(!escaped.includes(secret), `${shape}, ${name}: ${escaped}`);
      // What the boundary would have seen: the escaped text keeps the secret from its masking.
      assert.ok(!redactShapes(escaped).includes(secret), `${shape}, ${name}`);
    }
  }
});
