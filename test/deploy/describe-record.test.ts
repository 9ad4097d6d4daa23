import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApplyRecord } from '../../src/apply/history.ts';
import { describeRecord } from '../../src/deploy/deploy-environment.ts';

const RECORD: ApplyRecord = { commit: 'abcdef0123', time: '2026-12-01T00:00:00Z', actor: 'alice', result: 'applied', changes: ['upgrade Helm release fsm-system/fsm to chart 1.6.0 (revision 4)', 'create Plugin cors'], task: 'deploy' };

test("a Deployment's final status names the Helm revision before and after a chart upgrade", () => {
  const helm = { release: 'fsm-system/fsm', before: { revision: 3, chartVersion: '1.5.1' }, after: { revision: 4, chartVersion: '1.6.0' } };
  assert.equal(describeRecord({ ...RECORD, helm }), 'applied abcdef0: 2 change(s); Helm revision 3 → 4 (chart 1.6.0)');
  assert.equal(describeRecord({ ...RECORD, helm: { release: helm.release, before: helm.before } }), 'applied abcdef0: 2 change(s); Helm revision 3 → unknown');
  assert.equal(describeRecord(RECORD), 'applied abcdef0: 2 change(s)', 'no chart upgrade, no Helm part');
});
