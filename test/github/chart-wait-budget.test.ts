import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRepoConfig } from '../../src/config/repo-config.ts';
import { chartWaitFinding } from '../../src/github/chart-wait-budget.ts';
import type { ChartUpgrade } from '../../src/plan/plan-types.ts';

const environment = (chart: string) =>
  parseRepoConfig('.github/fsm-gitops.yml', new TextEncoder().encode(`environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n    mesh: { name: fsm, namespace: fsm-system }\n    deploy: on-command\n    chart: ${chart}\n`)).environments[0]!;
const UPGRADE: ChartUpgrade = { release: { name: 'fsm', namespace: 'fsm-system' }, fromRevision: 1, fromVersion: '1.5.1', toVersion: '1.5.1', chart: { files: [] }, values: {}, objects: [] };
const BUDGET_MS = 480_000; // npm start's event
const PLAN_MS = 5_000;

test('a wait longer than the event leaves after the plan, helm writes and the objects: a warning at the timeoutSeconds key, saying how long it would get', () => {
  const finding = chartWaitFinding(environment('{ upgrade: true, wait: { timeoutSeconds: 600 } }'), UPGRADE, BUDGET_MS, PLAN_MS);
  assert.deepEqual([finding?.severity, finding?.code, finding?.file, finding?.line, finding?.column], ['warning', 'chart-wait-cut', '.github/fsm-gitops.yml', 7, 37]);
  assert.match(finding!.message, /^environments\.staging\.chart\.wait\.timeoutSeconds is 600 s, but an apply by this app can wait about 415 s for the rollout/);
  assert.match(finding!.message, /a slower rollout is rolled back; lower chart\.wait\.timeoutSeconds/);
});

test('a wait that fits, no wait (0), no chart upgrade planned, upgrades off, or an environment the app never applies: no finding', () => {
  assert.equal(chartWaitFinding(environment('{ upgrade: true, wait: { timeoutSeconds: 415 } }'), UPGRADE, BUDGET_MS, PLAN_MS), undefined);
  assert.equal(chartWaitFinding(environment('{ upgrade: true }'), UPGRADE, BUDGET_MS, PLAN_MS), undefined, 'the default 300 s fits npm start');
  assert.equal(chartWaitFinding(environment('{ upgrade: true, wait: { timeoutSeconds: 0 } }'), UPGRADE, 60_000, PLAN_MS), undefined);
  assert.equal(chartWaitFinding(environment('{ upgrade: true, wait: { timeoutSeconds: 3600 } }'), undefined, BUDGET_MS, PLAN_MS), undefined);
  assert.equal(chartWaitFinding(environment('{ upgrade: false, wait: { timeoutSeconds: 3600 } }'), UPGRADE, BUDGET_MS, PLAN_MS), undefined);
  const manual = { ...environment('{ upgrade: true, wait: { timeoutSeconds: 3600 } }'), deploy: 'manual' as const };
  assert.equal(chartWaitFinding(manual, UPGRADE, BUDGET_MS, PLAN_MS), undefined, 'deploy: manual: the app never applies it');
});

test('an event too short for any upgrade says the apply would refuse it', () => {
  const finding = chartWaitFinding(environment('{ upgrade: true }'), UPGRADE, 70_000, PLAN_MS);
  assert.match(finding!.message, /would have too little time left after its plan to upgrade the chart at all \(helm needs 70 s at least\): it would refuse the upgrade/);
});
