import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/core/json.ts';
import type { EnvironmentPlan, ResourceChange } from '../../src/plan/plan-types.ts';
import { renderCheckRun } from '../../src/render/check-run.ts';
import { CHECK_TEXT_LIMIT, COMMENT_BODY_LIMIT } from '../../src/render/github-limits.ts';
import { renderJson } from '../../src/render/json.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { renderText } from '../../src/render/text.ts';
import { unifiedYamlDiff } from '../../src/render/unified-diff.ts';
import { planFiles } from '../support/plan-fixture.ts';

function renderAll(plan: EnvironmentPlan): { text: string; markdown: string; json: string; check: ReturnType<typeof renderCheckRun> } {
  const plans = { environments: [plan] };
  return { text: renderText(plans, { color: false }), markdown: renderMarkdown(plans), json: renderJson(plans), check: renderCheckRun(plan) };
}

const create = (name: string, spec: JsonObject): ResourceChange => ({
  action: 'create',
  kind: 'PluginChain',
  apiVersion: 'plugin.flomesh.io/v1alpha1',
  name,
  namespace: 'bookinfo',
  file: `clusters/staging/plugins/${name}.yaml`,
  fields: [],
  after: { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'PluginChain', metadata: { name, namespace: 'bookinfo' }, spec },
});

test('a 3.5 MB PluginChain plans and renders in every format: its diff is summarised, not dumped', async () => {
  // js-yaml's dump overflowed the stack on the 3.4 MB string, in every output but JSON.
  const plugin = 'a`'.repeat(1_700_000);
  const file = `apiVersion: plugin.flomesh.io/v1alpha1\nkind: PluginChain\nmetadata:\n  name: big\n  namespace: bookinfo\nspec:\n  chains:\n  - name: inbound-http\n    plugins:\n    - "${plugin}"\n  selectors:\n    podSelector:\n      matchLabels:\n        app: productpage\n`;
  assert.ok(file.length > 3_400_000);
  const plan = await planFiles({ 'plugins/chain.yaml': file });
  const { text, markdown, json, check } = renderAll(plan);
  const summary = /\(diff too large to show: 3\.\d MiB of JSON, over the 1\.0 MiB limit; `fsm-gitops plan --format json` prints the objects\)/;
  assert.match(text, summary);
  assert.match(markdown, summary);
  assert.match(check.text, summary);
  assert.ok(json.includes(plugin), 'JSON keeps the whole object');
  assert.ok(markdown.length <= COMMENT_BODY_LIMIT && check.text.length <= CHECK_TEXT_LIMIT);
});

test('diffs of 130,000 lines and of 200,000 backtick runs render without an argument spread overflowing the stack', () => {
  const lines = create('many-lines', { ports: Array.from({ length: 130_000 }, (_, i) => i) });
  const ticks = create('many-ticks', { chains: [{ name: 'inbound-http', plugins: ['`x'.repeat(200_000)] }] });
  const plan: EnvironmentPlan = { name: 'staging', path: 'clusters/staging', liveSource: 's.yaml', changes: [lines, ticks], findings: [], restarts: [] };
  const { text, markdown, check } = renderAll(plan);
  assert.match(text, /^ {4}\+\s+- 129999$/m, 'the text output shows the whole diff');
  assert.ok(markdown.includes('PluginChain bookinfo/many-ticks') && markdown.length <= COMMENT_BODY_LIMIT);
  assert.ok(check.text.length <= CHECK_TEXT_LIMIT);
});

test('an update whose lines mostly differ is summarised instead of searched for minutes', () => {
  const n = 60_000;
  const before = { spec: { list: Array.from({ length: n }, (_, i) => i) } };
  const after = { spec: { list: Array.from({ length: n }, (_, i) => (i * 7919) % n) } };
  const started = Date.now();
  assert.match(unifiedYamlDiff(before, after), /^\(diff too large to show: more than 833 of 120,004 lines differ; `fsm-gitops plan --format json` prints the objects\)$/);
  assert.ok(Date.now() - started < 10_000);
});

test('a create is shown whole, as jsdiff would show it', () => {
  assert.equal(unifiedYamlDiff(undefined, { a: 1, b: 'x' }), '@@ -1,0 +1,2 @@\n+a: 1\n+b: x');
  assert.equal(unifiedYamlDiff({ a: 1 }, undefined), '@@ -1,1 +1,0 @@\n-a: 1');
  assert.equal(unifiedYamlDiff({ a: 1, b: 2 }, { a: 1, b: 3 }), '@@ -1,2 +1,2 @@\n a: 1\n-b: 2\n+b: 3');
});
