import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyChanges, policyFinding } from '../../src/config/policy.ts';
import { parseRepoConfig } from '../../src/config/repo-config.ts';

const config = (chart: string) =>
  parseRepoConfig('.github/fsm-gitops.yml', new TextEncoder().encode(`environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n    approvals: 1\n    chart: ${chart}\n`));

test('a chart change is said in the config file\'s own keys, and a version bump says when its upgrade is planned and applied', () => {
  const base = config('{ upgrade: true, version: 1.5.1 }');
  const head = config('{ upgrade: true, version: 1.6.0, wait: { timeoutSeconds: 600 } }');
  const [change] = policyChanges(base, head);
  assert.equal(change?.kind, 'changed');
  const message = policyFinding(change!, head).message;
  assert.match(message, /takes effect after merge: chart\.version "1\.5\.1" → "1\.6\.0" \(after merge, the next plan of this environment shows the upgrade as a HelmRelease change/);
  assert.match(message, /chart\.wait\.timeoutSeconds 300 → 600/);
  assert.doesNotMatch(message, /waitTimeoutSeconds|\{"upgrade"/, 'not the internal shape');
});

test('a version bump with chart.upgrade turned off says it is never run', () => {
  const [change] = policyChanges(config('{ upgrade: true, version: 1.5.1 }'), config('{ upgrade: false, version: 1.6.0 }'));
  const message = policyFinding(change!, undefined).message;
  assert.match(message, /chart\.upgrade true → false, chart\.version "1\.5\.1" → "1\.6\.0" \(with chart\.upgrade off, fsm-gitops never runs this upgrade: the plan only validates it\)/);
  assert.doesNotMatch(message, /applies it/);
});

test('an unchanged chart section is not a change', () => {
  assert.deepEqual(policyChanges(config('{ upgrade: true }'), config('{ upgrade: true }')), []);
});

test('the finding points at the first changed key as the file writes it, or its nearest written parent', () => {
  const base = config('{ upgrade: true, version: 1.5.1 }');
  const bumped = policyFinding(policyChanges(base, config('\n      upgrade: true\n      version: 1.6.0'))[0]!, undefined);
  assert.deepEqual([bumped.file, bumped.line, bumped.column], ['.github/fsm-gitops.yml', 8, 7], 'the chart.version line');
  const unpinned = policyFinding(policyChanges(base, config('\n      upgrade: true'))[0]!, undefined);
  assert.deepEqual([unpinned.line, unpinned.column], [6, 5], 'a removed chart.version: at chart:');
  const head = parseRepoConfig('.github/fsm-gitops.yml', new TextEncoder().encode('environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n    approvals: 2\n    chart: { upgrade: true, version: 1.5.1 }\n'));
  assert.deepEqual([policyFinding(policyChanges(base, head)[0]!, head).line], [5], 'approvals: before chart:');
});
