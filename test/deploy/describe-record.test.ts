import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApplyRecord } from '../../src/apply/history.ts';
import { describeRecord } from '../../src/deploy/deploy-environment.ts';

const RECORD: ApplyRecord = { commit: 'abcdef0123', time: '2026-12-01T00:00:00Z', actor: 'alice', result: 'applied', changes: ['upgrade Helm release fsm-system/fsm to chart 1.6.0 (revision 4)', 'create Plugin cors'], task: 'deploy' };

test("a Deployment's final status names the Helm revision before and after a chart upgrade", () => {
  const helm = { release: 'fsm-system/fsm', before: { revision: 3, chartVersion: '1.5.1' }, after: { revision: 4, chartVersion: '1.6.0' } };
  assert.equal(describeRecord({ ...RECORD, helm }), 'applied abcdef0: the chart upgraded, 1 object(s) applied; Helm revision 3 → 4 (chart 1.5.1 → 1.6.0)');
  assert.equal(describeRecord({ ...RECORD, helm: { release: helm.release, before: helm.before } }), 'applied abcdef0: the chart upgraded, 1 object(s) applied; Helm revision 3 → unknown');
  assert.equal(describeRecord(RECORD), 'applied abcdef0: the chart upgraded, 1 object(s) applied', 'no Helm revisions recorded, no Helm part');
});

test('the steps are counted as people count them: the chart upgrade once, objects applied and deleted apart', () => {
  const at = (changes: string[], changeCount?: number) => describeRecord({ ...RECORD, changes, ...(changeCount ? { changeCount } : {}) });
  assert.equal(at([]), 'applied abcdef0: no changes needed');
  assert.equal(at(['update Plugin a', 'update Plugin b', 'delete Plugin c']), 'applied abcdef0: 2 object(s) applied, 1 deleted');
  assert.equal(at(['upgrade Helm release fsm-system/fsm to chart 1.5.1 (revision 2)']), 'applied abcdef0: the chart upgraded');
  assert.equal(at(['update Plugin a'], 250), 'applied abcdef0: 250 step(s)', 'a record that lists only the first steps says how many there were');
});
