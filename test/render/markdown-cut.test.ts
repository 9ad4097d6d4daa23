import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutMarkdown } from '../../src/render/markdown-cut.ts';

/** What is open at the end of `markdown`: fences and <details>, as a list of their closers. */
function unclosed(markdown: string): string[] {
  const open: string[] = [];
  for (const line of markdown.split('\n')) {
    const top = open.at(-1);
    if (top?.startsWith('`')) {
      if (line.trim() === top) open.pop();
    } else if (/^\s*`{3,}/.test(line)) open.push(line.trim().replace(/[^`].*$/, ''));
    else if (line.startsWith('<details>')) open.push('</details>');
    else if (line.trim() === '</details>') open.pop();
  }
  return open;
}

const body = [
  '### staging',
  '<details><summary>+ Plugin a</summary>',
  '',
  '````diff',
  ...Array.from({ length: 400 }, (_, i) => `+line ${i} with \`\`\` inside`),
  '````',
  '',
  '</details>',
  'after',
].join('\n');

test('a cut inside a fence inside <details> closes both, fits, and says it was cut', () => {
  const cut = cutMarkdown(body, 3_000);
  assert.ok(cut.length <= 3_000, String(cut.length));
  assert.deepEqual(unclosed(body), []);
  assert.deepEqual(unclosed(cut), []);
  assert.match(cut, /\+line \d+ with ``` inside\n````\n<\/details>\n…\(truncated\)$/);
});

test('a cut falls on a line boundary, and text within the limit is left as it is', () => {
  assert.equal(cutMarkdown(body, body.length), body);
  assert.equal(cutMarkdown('one\ntwo\nthree four five six', 19), 'one\n…(truncated)');
  assert.equal(cutMarkdown('one\ntwo\nthree four five six', 20), 'one\ntwo\n…(truncated)');
});

test('a fence opened in a list item is closed at its own indentation', () => {
  const cut = cutMarkdown(`- item\n  \`\`\`yaml\n${'  a: 1\n'.repeat(100)}  \`\`\`\n`, 200);
  assert.match(cut, /\n {2}```\n…\(truncated\)$/);
  assert.ok(cut.length <= 200);
});
