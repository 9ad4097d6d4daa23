/**
 * The counts every output shows (src/render/summary.ts) and the plan's exit code: a pending change (one apply does
 * not make, such as a values change without chart upgrades) is counted as pending, never as an update to apply.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exitCode } from '../../src/cli/plan-run.ts';
import type { EnvironmentPlan, ResourceChange } from '../../src/plan/plan-types.ts';
import { countByAction, showValues, summaryLine } from '../../src/render/summary.ts';
import { renderJson } from '../../src/render/json.ts';

const change = (action: ResourceChange['action'], pending?: string): ResourceChange => ({ action, kind: 'Plugin', apiVersion: 'plugin.flomesh.io/v1alpha1', name: `p-${action}`, fields: [], ...(pending ? { pending } : {}) });
const plan = (changes: ResourceChange[]): EnvironmentPlan => ({ name: 'staging', path: 'clusters/staging', liveSource: 'snapshot.yaml', changes, findings: [], restarts: [] });
const PENDING = 'values changes need a chart upgrade';

test('a pending change counts as pending, not as the update apply would make', () => {
  const changes = [change('create'), change('update'), change('update', PENDING), change('delete'), change('unchanged')];
  assert.deepEqual(countByAction(changes), { create: 1, update: 1, delete: 1, unchanged: 1, pending: 1 });
  assert.equal(summaryLine(plan(changes)), '1 to create, 1 to update, 1 to delete, 1 pending · 0 errors, 0 warnings, 0 notices');
  assert.equal(summaryLine(plan([change('update', PENDING)])), 'no changes to apply, 1 pending · 0 errors, 0 warnings, 0 notices');
  assert.equal(summaryLine(plan([change('unchanged')])), 'no changes · 0 errors, 0 warnings, 0 notices');
  const json = JSON.parse(renderJson({ environments: [plan(changes)] })) as { summary: { changes: Record<string, number> } };
  assert.deepEqual(json.summary.changes, { create: 1, update: 1, delete: 1, unchanged: 1, pending: 1 });
});

test('--detailed-exitcode: 2 only for changes apply makes; a plan of pending changes only is 0, as apply would do nothing', () => {
  const only = { environments: [plan([change('update', PENDING), change('unchanged')])] };
  assert.equal(exitCode(only, true), 0);
  assert.equal(exitCode({ environments: [plan([change('update', PENDING), change('create')])] }, true), 2);
  assert.equal(exitCode({ environments: [plan([change('create')])] }, false), 0);
});

test('a long value changed deep inside shows, before and after, from just before where they differ', () => {
  const json = (uid: string) => JSON.stringify({ clusterSet: { name: 'local', region: 'default', zone: 'default', group: 'default', uid }, sidecar: { logLevel: 'error' } }, null, 2);
  const [before, after] = showValues(json('0b5c3c6e'), json('7f21aa90'));
  assert.notEqual(before, after);
  assert.match(before, /^\.\.\..*0b5c3c6e/);
  assert.match(after, /^\.\.\..*7f21aa90/);
  assert.ok(before.length <= 80 && after.length <= 80, `${before} / ${after}`);
  assert.deepEqual(showValues('short', 'other'), ['"short"', '"other"'], 'short values are shown whole');
  assert.deepEqual(showValues(undefined, 'x'), ['(unset)', '"x"']);
});
