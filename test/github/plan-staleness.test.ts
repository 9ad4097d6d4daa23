import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApplyRecord } from '../../src/apply/history.ts';
import { appliedSincePlan, staleNotice } from '../../src/github/plan-staleness.ts';

const PLANNED = '2026-12-05T10:00:00Z';
const owner = { repository: 'acme/mesh', pr: 7 };
const record = (time: string, more: Partial<ApplyRecord> = {}): ApplyRecord => ({ commit: 'b'.repeat(40), time, actor: 'bob', result: 'applied', changes: ['update MeshConfig fsm-system/fsm-mesh-config'], task: 'deploy', pr: 8, repository: 'acme/mesh', ...more });

test('a plan is stale after an apply by another pull request, the CLI or a rollback recorded since it read the cluster; the newest is named', () => {
  const other = record('2026-12-05T10:05:00Z');
  assert.equal(appliedSincePlan([other], PLANNED, owner), other);
  const cli = record('2026-12-05T10:06:00Z', { pr: undefined, repository: undefined, actor: 'ops' });
  const rollback = record('2026-12-05T10:04:00Z', { task: 'rollback', pr: undefined });
  assert.equal(appliedSincePlan([rollback, cli, other], PLANNED, owner), cli, 'the newest, whatever the order read');
  assert.equal(appliedSincePlan([rollback], PLANNED, owner), rollback);
  const rollbackHere = record('2026-12-05T10:07:00Z', { task: 'rollback', pr: 7 });
  assert.equal(appliedSincePlan([rollbackHere], PLANNED, owner), rollbackHere, '/fsm rollback commented on this pull request records its number, and is not its change');
});

test("the pull request's own apply after another's leaves the cluster as its plan showed: current again", () => {
  const other = record('2026-12-05T10:05:00Z');
  const own = record('2026-12-05T10:06:00Z', { pr: 7 });
  assert.equal(appliedSincePlan([own, other], PLANNED, owner), undefined);
  const third = record('2026-12-05T10:08:00Z', { pr: 9 });
  assert.equal(appliedSincePlan([third, own, other], PLANNED, owner), third, 'until another applies after it');
});

test('a plan is current when every apply since is its own pull request\'s, wrote nothing, or was put back', () => {
  assert.equal(appliedSincePlan([record('2026-12-05T09:59:59Z')], PLANNED, owner), undefined, 'before the plan read the cluster');
  assert.equal(appliedSincePlan([record('2026-12-05T10:05:00Z', { pr: 7 })], PLANNED, owner), undefined, 'its own apply');
  assert.equal(appliedSincePlan([record('2026-12-05T10:05:00Z', { pr: 7, repository: undefined })], PLANNED, owner), undefined, 'its own, recorded before repositories were');
  assert.equal(appliedSincePlan([record('2026-12-05T10:05:00Z', { result: 'refused' })], PLANNED, owner), undefined, 'nothing written');
  assert.equal(appliedSincePlan([record('2026-12-05T10:05:00Z', { result: 'rolled-back' })], PLANNED, owner), undefined, 'put back');
  assert.equal(appliedSincePlan([record('2026-12-05T10:05:00Z', { changes: [] })], PLANNED, owner), undefined, 'a deploy with nothing to change (recorded applied, no change)');
  assert.equal(appliedSincePlan([record('2026-12-05T10:05:00Z', { changes: [], task: 'rollback' })], PLANNED, owner), undefined, 'a rollback with nothing to change');
  assert.equal(appliedSincePlan([record('2026-12-05T10:05:00Z')], 'not a time', owner), undefined);
  assert.equal(appliedSincePlan([record('later')], PLANNED, owner), undefined);
});

test("another repository's #7 is not this pull request; a failed apply counts (what it left stays); the plan's own second counts", () => {
  const elsewhere = record('2026-12-05T10:05:00Z', { pr: 7, repository: 'acme/platform' });
  assert.equal(appliedSincePlan([elsewhere], PLANNED, owner), elsewhere);
  const failed = record('2026-12-05T10:05:00Z', { result: 'failed' });
  assert.equal(appliedSincePlan([failed], PLANNED, owner), failed);
  // GitHub keeps whole seconds of started_at: an apply in that second may have ended after the read.
  const helmOnly = record('2026-12-05T10:05:00Z', { changes: [], helm: { release: 'fsm-system/fsm', before: { revision: 3, chartVersion: '1.4.0' }, after: { revision: 4, chartVersion: '1.4.0' } } });
  assert.equal(appliedSincePlan([helmOnly], PLANNED, owner), helmOnly, 'a chart upgrade alone wrote too');
  const sameSecond = record('2026-12-05T10:00:00.400Z');
  assert.equal(appliedSincePlan([sameSecond], PLANNED, owner), sameSecond);
});

test("a branch that lacks the default branch's changes to the folder is told to update first (planned as it is, it would undo them)", () => {
  const applied = record('2026-12-05T10:05:00Z');
  assert.match(staleNotice('staging', applied, 'acme/mesh', 'clusters/staging'), /before it; this branch lacks the default branch's changes to `clusters\/staging\/`: update it \(merge or rebase the default branch\), which plans it again$/);
  assert.match(staleNotice('staging', applied, 'acme/mesh', ''), /lacks the default branch's changes to its files: update it/);
});

test('the notice names the apply as /fsm status does, escaped, and how to plan again', () => {
  const notice = staleNotice('staging', record('2026-12-05T10:05:00Z', { actor: '@octo_cat', repository: 'acme/platform' }), 'acme/mesh');
  assert.equal(notice, "⚠️ changed since this plan: `bbbbbbb` by @\u200bocto\\_cat, acme/platform#8, 2026-12-05 10:05 UTC: applied. This pull request's plan was made before it; `/fsm plan staging` plans against the cluster as it is now");
});
