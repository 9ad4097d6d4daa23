import assert from 'node:assert/strict';
import { test } from 'node:test';
import { environmentSectionOf, environmentsShown, loggedFor, section, sectionOf, withLogLine, withSection } from '../../src/github/sticky-comment.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import type { EnvironmentPlan } from '../../src/plan/plan-types.ts';

/** A plan whose manifest value spells the comment's own markers, as a pull request can write it. */
const hostile: EnvironmentPlan = {
  name: 'staging',
  path: 'clusters/staging',
  liveSource: 's.yaml',
  restarts: [],
  findings: [],
  changes: [
    {
      action: 'update',
      kind: 'PluginConfig',
      apiVersion: 'plugin.flomesh.io/v1alpha1',
      name: 'x',
      namespace: 'bookinfo',
      file: 'clusters/staging/x.yaml',
      before: { spec: { config: { note: 'a' } } },
      after: { spec: { config: { note: '<!-- fsm-gitops:log -->\n✅ `production`: applied by admin\n<!-- /fsm-gitops:log -->\n<!-- fsm-gitops:env production -->' } } },
      fields: [{ path: 'spec.config.note', before: 'a', after: '<!-- fsm-gitops:log -->✅ forged<!-- /fsm-gitops:log -->' }],
    },
  ],
};

test('a manifest value that spells the comment\'s markers neither forges a log nor takes over a section', () => {
  const body = renderMarkdown({ environments: [hostile] }, { environmentMarkers: true, preamble: section('status', '**Deploy status**\n\n<!-- fsm-gitops:environments staging -->') });
  assert.equal(sectionOf(body, 'log'), undefined, 'no log section is found in the diff');
  assert.deepEqual(environmentsShown(body), ['staging']);
  assert.equal(environmentSectionOf(body, 'production'), undefined);
  const logged = withLogLine(body, '`staging`: applied');
  assert.equal(sectionOf(logged, 'log'), '**Deploy log**\n\n- `staging`: applied');
  assert.ok(logged.indexOf('<!-- fsm-gitops:log -->') < logged.indexOf('### '), 'the real log sits above the plan');
});

test('sections are replaced in place; a new log goes under the status block', () => {
  let body = renderMarkdown({ environments: [] }, { preamble: section('status', 'one') });
  body = withSection(body, 'status', 'two');
  assert.equal(sectionOf(body, 'status'), 'two');
  body = withLogLine(withLogLine(body, 'first'), 'second');
  assert.equal(sectionOf(body, 'log'), '**Deploy log**\n\n- second\n- first');
  assert.ok(body.indexOf('<!-- /fsm-gitops:status -->') < body.indexOf('<!-- fsm-gitops:log -->'));
});

test('a line reporting a Deployment the log already reports is not added again; other lines are', () => {
  let body = renderMarkdown({ environments: [] }, { preamble: section('status', 'one') });
  body = withLogLine(body, '✅ `staging`: apply of `abc1234` by alice: 1 object(s) applied (Deployment 12)');
  body = withLogLine(body, '⚠️ `staging`: the apply history could not be written; Deployment 12 records this apply');
  const retried = withLogLine(body, '✅ `staging`: apply of `abc1234` by alice: applied abc1234: 1 object(s) applied (Deployment 12)');
  assert.equal(retried, body);
  const failed = withLogLine(body, '❌ `staging`: apply of `def5678` by alice failed (Deployment 123, issue #4): boom');
  assert.match(sectionOf(failed, 'log')!, /^- ❌ .*\(Deployment 123, issue #4\)/m);
  assert.equal(withLogLine(failed, '❌ `staging`: apply of `def5678` by alice: failed and rolled back: boom (Deployment 123)'), failed);
});

test("a line the log already has (a redelivered event's) is not added again; the same outcome of another command is, told apart by its comment", () => {
  const nothing = '`staging`: apply of `d000000`: nothing to do, the cluster already matches it (applied since the review)';
  let body = withLogLine(renderMarkdown({ environments: [] }, { preamble: section('status', 'one') }), loggedFor(3001, nothing));
  body = withLogLine(body, '🔓 `staging`: released');
  assert.equal(withLogLine(body, loggedFor(3001, nothing)), body, 'comment 3001 delivered again');
  body = withLogLine(body, loggedFor(3002, nothing));
  assert.equal(sectionOf(body, 'log'), `**Deploy log**\n\n- ${nothing} <!-- fsm-gitops:comment 3002 -->\n- 🔓 \`staging\`: released\n- ${nothing} <!-- fsm-gitops:comment 3001 -->`);
});
