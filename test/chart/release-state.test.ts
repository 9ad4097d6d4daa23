/**
 * What a plan says of a release an earlier helm left failed, from the release Secrets' labels: with a deployed
 * revision, a warning; with none (a failed upgrade whose rollback failed too), an error naming the last revision
 * that succeeded, never "uninstall".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRepoConfig } from '../../src/config/repo-config.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { chartUpgradeRule } from '../../src/fsm/rules/chart-upgrade.ts';
import type { PlanContext } from '../../src/fsm/rules/rule.ts';
import { latestRevision } from '../../src/live/helm-release.ts';

const secret = (revision: number, status: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'helm.sh/release.v1',
  metadata: { name: `sh.helm.release.v1.fsm.v${revision}`, namespace: 'fsm-system', labels: { owner: 'helm', name: 'fsm', version: String(revision), status } },
} as unknown as KubeObject);

const environment = parseRepoConfig('.github/fsm-gitops.yml', Buffer.from('environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n    chart: { upgrade: true }\n')).environments[0]!;

test('the last revision that succeeded is read from the Secrets\' labels', () => {
  assert.deepEqual(latestRevision([secret(20, 'superseded'), secret(21, 'superseded'), secret(22, 'failed')], 'fsm'), { revision: 22, status: 'failed', lastSucceeded: 21 });
  assert.deepEqual(latestRevision([secret(1, 'failed')], 'fsm'), { revision: 1, status: 'failed' });
});

test('no deployed revision, the newest failed: an error naming the rollback to the last that succeeded', () => {
  const latest = latestRevision([secret(20, 'superseded'), secret(21, 'superseded'), secret(22, 'failed')], 'fsm');
  const context = { environment, live: { helmRelease: undefined, helmReleaseLatest: latest }, desired: { values: undefined }, chart: undefined, helmValues: undefined } as unknown as PlanContext;
  const [finding, ...more] = chartUpgradeRule.check(context);
  assert.deepEqual(more, []);
  assert.equal(finding?.code, 'chart-release-failed');
  assert.equal(finding?.severity, 'error');
  assert.match(finding!.message, /has no deployed revision: revision 22 failed and revision 21 was the last that succeeded/);
  assert.match(finding!.message, /Run `helm rollback fsm 21 -n fsm-system`/);
  assert.doesNotMatch(finding!.message, /uninstall|apply to replace/);
});
