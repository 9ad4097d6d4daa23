import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Plan, ResourceChange } from '../../src/plan/plan-types.ts';
import { COMMENT_MARKER, escapeMarkdown, renderMarkdown } from '../../src/render/markdown.ts';
import { renderCheckRun } from '../../src/render/check-run.ts';

function bigPlugin(name: string, lines: number): ResourceChange {
  return {
    action: 'create',
    kind: 'Plugin',
    apiVersion: 'plugin.flomesh.io/v1alpha1',
    name,
    file: `clusters/staging/${name}.yaml`,
    fields: [],
    after: { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name }, spec: { pipyscript: 'x\n'.repeat(lines) } },
  };
}

const plan = (changes: ResourceChange[]): Plan => ({
  environments: [{ name: 'staging', path: 'clusters/staging', liveSource: 's.yaml', changes, findings: [], restarts: [] }],
});

test('a body over the limit leaves out whole resources, says which, and fits', () => {
  const body = renderMarkdown(plan([bigPlugin('small', 5), bigPlugin('huge', 5000)]), { maxLength: 4000, fullPlanHint: 'See the fsm-gitops/staging check run.' });
  assert.ok(body.length <= 4000, String(body.length));
  assert.ok(body.startsWith(COMMENT_MARKER));
  assert.match(body, /Plugin small<\/b>/, 'the small resource stays');
  assert.match(body, /Left out to fit GitHub's comment size limit: `Plugin huge`\. See the fsm-gitops\/staging check run\./);
});

test('a body within the limit leaves nothing out', () => {
  const body = renderMarkdown(plan([bigPlugin('a', 3)]));
  assert.doesNotMatch(body, /Left out/);
});

test("a change names its file and line, as the text plan does; a change without a line, its file", () => {
  const body = renderMarkdown(plan([{ ...bigPlugin('a', 1), line: 3 }, bigPlugin('b', 1)]));
  assert.match(body, /<b>Plugin a<\/b> create \(<code>clusters\/staging\/a\.yaml:3<\/code>\)<\/summary>/);
  assert.match(body, /<b>Plugin b<\/b> create \(<code>clusters\/staging\/b\.yaml<\/code>\)<\/summary>/);
});

test('user-controlled text cannot inject HTML or mentions', () => {
  assert.equal(escapeMarkdown('<img src=x> @team'), '\\<img src=x\\> @\u200bteam');
});

test('diff fences survive backticks in the content', () => {
  const change = bigPlugin('ticks', 0);
  (change.after!['spec'] as { pipyscript: string }).pipyscript = 'const s = ```;\n';
  const body = renderMarkdown(plan([change]));
  assert.match(body, /````diff\n/);
});

test('a comment over the limit shrinks each environment, never drops one, and leaves no <details> or fence open', () => {
  const noisy: Plan['environments'][number] = {
    name: 'noisy',
    path: 'clusters/noisy',
    liveSource: 's.yaml',
    changes: [bigPlugin('huge', 3000)],
    findings: Array.from({ length: 200 }, (_, i) => ({ severity: 'warning' as const, code: 'drift' as const, file: `clusters/noisy/f${i}.yaml`, line: 1, message: `${'x'.repeat(900)}\n${'y: 1\n'.repeat(40)}` })),
    restarts: [],
  };
  const quiet = (name: string): Plan['environments'][number] => ({ name, path: `clusters/${name}`, liveSource: 's.yaml', changes: [bigPlugin(`${name}-small`, 3)], findings: [], restarts: [] });
  const body = renderMarkdown({ environments: [quiet('alpha'), noisy, quiet('omega')] }, { maxLength: 60_000, environmentMarkers: true, fullPlanHint: 'See the check runs.' });
  assert.ok(body.length <= 60_000, String(body.length));
  for (const name of ['alpha', 'noisy', 'omega']) {
    assert.ok(body.includes(`<!-- fsm-gitops:env ${name} -->`) && body.includes(`<!-- /fsm-gitops:env ${name} -->`), name);
    assert.match(body, new RegExp(`### ✅ \`${name}\` — `));
  }
  assert.equal(body.match(/^<details>/gm)?.length ?? 0, body.match(/^<\/details>/gm)?.length ?? 0);
  assert.equal((body.match(/^\s*```/gm)?.length ?? 0) % 2, 0);
  assert.match(body, /… and 190 more findings, left out to fit GitHub's comment size limit: see the check run/);
});

test('a plan far over the limit builds only the diffs it can show, names and counts every other one, and shows its diffs as a full render does', () => {
  const changes = Array.from({ length: 3_000 }, (_, i) => bigPlugin(`p${i}`, 3));
  let builds = 0;
  const counted = changes.map((change) => {
    const after = change.after;
    return Object.defineProperty({ ...change }, 'after', { get: () => (builds++, after), enumerable: true });
  });
  const body = renderMarkdown(plan(counted));
  assert.ok(body.length <= 65_536, String(body.length));
  assert.ok(builds < 1_000, `${builds} diffs built for a comment that shows a few hundred`);
  const shown = body.match(/^<details><summary>/gm)?.length ?? 0;
  assert.ok(shown > 50, `${shown} diffs shown`);
  const left = /_Left out to fit GitHub's comment size limit: (.*) and ([\d,]+) more\./.exec(body);
  assert.ok(left, 'the left-out line names some and counts the rest');
  assert.equal(left[1]!.split(', ').length + Number(left[2]!.replace(/,/g, '')), 3_000 - shown);
  const names = new Set([...body.matchAll(/^<details><summary>\+ <b>Plugin (p\d+)<\/b>/gm)].map((m) => m[1]));
  const whole = renderMarkdown(plan(changes.filter((c) => names.has(c.name))), { maxLength: Number.MAX_SAFE_INTEGER });
  const blocks = (text: string): string[] => text.split(/(?=^<details><summary>)/m).slice(1).map((b) => b.slice(0, b.indexOf('</details>')));
  assert.deepEqual(blocks(body), blocks(whole));
});

test("a finding's `quoted` command shows as code in the PR comment and the check run summary, not as escaped backticks", () => {
  const finding = { severity: 'warning' as const, code: 'chart-release-failed' as const, message: 'the release failed: run `helm rollback fsm 7 -n fsm-system` first' };
  const plan: Plan = { environments: [{ name: 'staging', path: 'clusters/staging', liveSource: 'test', changes: [], findings: [finding], restarts: [] }] };
  assert.match(renderMarkdown(plan), /run `helm rollback fsm 7 -n fsm-system` first/);
  assert.match(renderCheckRun(plan.environments[0]!).summary, /run `helm rollback fsm 7 -n fsm-system` first/);
});
