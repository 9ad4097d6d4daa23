import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApplyRecord } from '../../src/apply/history.ts';
import { describeDeploy } from '../../src/render/apply-record.ts';

const record = (result: ApplyRecord['result'], task: ApplyRecord['task'] = 'deploy'): ApplyRecord => ({ commit: 'd'.repeat(40), time: '2026-12-02T20:41:07Z', actor: 'bob', result, changes: [], task, pr: 12 });

test("/fsm status's last deploy says how each apply ended; one not wholly rolled back says the cluster needs attention", () => {
  assert.deepEqual(
    (['applied', 'rolled-back', 'refused', 'failed'] as const).map((result) => describeDeploy(record(result)).split(': ').slice(1).join(': ')),
    ['applied', 'failed, rolled back', 'refused, nothing written', 'failed, not wholly rolled back: the cluster needs attention (see the fsm-deploy-failed issue)'],
  );
  // A rollback that worked is not read as an apply that failed and was rolled back.
  assert.equal(describeDeploy(record('applied', 'rollback')), '`ddddddd` by bob, #12, 2026-12-02 20:41 UTC: applied by a rollback to it');
});

test("/fsm status names another repository's pull request as GitHub links it (owner/name#12; environments may share a namespace)", () => {
  const applied = { ...record('applied'), repository: 'acme/platform' };
  assert.equal(describeDeploy(applied, 'acme/mesh'), '`ddddddd` by bob, acme/platform#12, 2026-12-02 20:41 UTC: applied');
  assert.equal(describeDeploy(applied, 'acme/platform'), '`ddddddd` by bob, #12, 2026-12-02 20:41 UTC: applied');
  assert.equal(describeDeploy(record('applied'), 'acme/mesh'), '`ddddddd` by bob, #12, 2026-12-02 20:41 UTC: applied', 'a record from before repositories were recorded');
  // Edited by hand into no repository name: named as text, not linked (#12 would be this repository's), and kept in its table cell.
  assert.equal(describeDeploy({ ...applied, repository: 'acme/other|repo #7' }, 'acme/mesh'), '`ddddddd` by bob, pull request 12 of acme/other\\|repo #\u200b7, 2026-12-02 20:41 UTC: applied');
});
