import assert from 'node:assert/strict';
import { test } from 'node:test';
import { environmentSectionOf, environmentsShown, section, sectionOf, withLogLine, withSection } from '../../src/github/sticky-comment.ts';
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
