import assert from 'node:assert/strict';
import { test } from 'node:test';
import { structuredPatch } from 'diff';
import type { JsonObject } from '../../src/core/json.ts';
import type { ResourceChange } from '../../src/plan/plan-types.ts';
import { renderCheckRun } from '../../src/render/check-run.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { renderText } from '../../src/render/text.ts';
import { toYaml, unifiedYamlDiff } from '../../src/render/unified-diff.ts';

/** Objects whose YAML is awkward to cut into lines: CRLF, keep-chomped blank lines and the document end they need, long lines, odd keys. */
const AWKWARD: JsonObject[] = [
  { script: 'pipy()\r\n  .pipeline()\r\n', crlfKey: { 'a\r\nb': 1 } },
  { keep: 'ends with blank lines\n\n\n' },
  { a: 1, last: 'x\n\n' },
  { only: '\n', empty: '', space: ' ', leading: '  indented\nnext' },
  { long: `${'word '.repeat(400)}end`, longKey: { [`k${'x'.repeat(1100)}`]: 'v' }, 'multi\nline key': 1 },
  { '': 0, '<<': 1, '? q': 2, '- d': 3, 'a: b': 4, '#h': 5, yes: 'no', date: '2001-12-14', docStart: '--- x', docEnd: 'a\n...\nb' },
  { nested: [[1, [2, []]], [{}], { deep: { deeper: [{ x: null }] } }] },
];

/** What jsdiff itself writes for the object added or removed whole: the diff a create or a delete shows. */
function jsdiffHunk(from: string, to: string): string {
  return structuredPatch('live', 'desired', from, to).hunks.map((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines].join('\n')).join('\n');
}

test("a create's or a delete's diff is every line of the object's YAML, marked, under the hunk header jsdiff writes", () => {
  for (const object of AWKWARD) {
    const yaml = toYaml(object);
    assert.equal(unifiedYamlDiff(undefined, object), jsdiffHunk('', yaml), `create of ${JSON.stringify(object).slice(0, 60)}`);
    assert.equal(unifiedYamlDiff(object, undefined), jsdiffHunk(yaml, ''), `delete of ${JSON.stringify(object).slice(0, 60)}`);
  }
});

test("a change's diff is made once for every output, and made again when its before or after is replaced", () => {
  const change: ResourceChange = { action: 'create', kind: 'Plugin', apiVersion: 'plugin.flomesh.io/v1alpha1', name: 'p', fields: [], after: { kind: 'Plugin', spec: { priority: 1 } } };
  const plan = { environments: [{ name: 'staging', path: 'clusters/staging', liveSource: 'x.yaml', changes: [change], findings: [], restarts: [] }] };
  const first = { text: renderText(plan, { color: false }), markdown: renderMarkdown(plan), check: renderCheckRun(plan.environments[0]!).text };
  assert.deepEqual({ text: renderText(plan, { color: false }), markdown: renderMarkdown(plan), check: renderCheckRun(plan.environments[0]!).text }, first);
  for (const output of Object.values(first)) assert.match(output, /\+ {2}priority: 1/);
  change.after = { kind: 'Plugin', spec: { priority: 2 } };
  for (const output of [renderText(plan, { color: false }), renderMarkdown(plan), renderCheckRun(plan.environments[0]!).text]) {
    assert.match(output, /\+ {2}priority: 2/);
    assert.doesNotMatch(output, /priority: 1/);
  }
});
