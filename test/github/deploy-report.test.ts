/**
 * What people read after an apply the app ran: the deploy-log line of a success names the Helm revisions of a
 * chart upgrade, as the Deployment's status does; a failure says what to do next.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRepoConfig } from '../../src/config/repo-config.ts';
import type { DeployOutcome } from '../../src/deploy/deploy-environment.ts';
import type { EventContext } from '../../src/github/app-context.ts';
import { withWarnings } from '../../src/core/error-warnings.ts';
import { reportOutcome, reportStopped } from '../../src/github/deploy-report.ts';
import { MissingPermissionError } from '../../src/github/missing-permission.ts';

const ENVIRONMENT = parseRepoConfig('.github/fsm-gitops.yml', Buffer.from('environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n')).environments[0]!;
const SHA = 'b'.repeat(40);

/** An event context whose GitHub knows no fsm-deploy-failed issue, and creates one numbered 41 when asked. */
function context(created: string[]): EventContext {
  const issues = {
    listForRepo: async () => ({ data: [] }),
    create: async ({ body }: { body: string }) => (created.push(body), { data: { number: 41 } }),
    createComment: async () => ({ data: {} }),
  };
  return { octokit: { rest: { issues } }, ref: { owner: 'acme', repo: 'mesh-config' }, repository: { fullName: 'acme/mesh-config' }, identity: { botLogin: 'fsm-gitops[bot]' } } as unknown as EventContext;
}

function deployed(result: Extract<DeployOutcome, { status: 'deployed' }>['result']): DeployOutcome {
  return { status: 'deployed', plan: { name: 'staging', path: 'clusters/staging', liveSource: 'test', changes: [], findings: [], restarts: [] }, digest: 'd', deployment: { id: 7 } as never, result, warnings: [] };
}

test("a chart upgrade's success line names the Helm revisions and the chart", async () => {
  const report = await reportOutcome(context([]), ENVIRONMENT, SHA, 'bob', deployed({ result: 'applied', done: ['upgrade Helm release fsm-system/fsm to chart 1.5.1 (revision 2)'], uncertain: [], notUndone: [], helm: { release: 'fsm-system/fsm', before: { revision: 1, chartVersion: '1.5.1' }, after: { revision: 2, chartVersion: '1.5.1' } } }));
  assert.deepEqual(report.log, ['✅ `staging`: apply of `bbbbbbb` by bob: the chart upgraded; Helm revision 1 → 2 (chart 1.5.1) (Deployment 7)']);
});

test('a failed apply says what to do next: rolled back, fix and apply again; not wholly undone, mend the cluster first', async () => {
  const created: string[] = [];
  const rolledBack = await reportOutcome(context(created), ENVIRONMENT, SHA, 'bob', deployed({ result: 'rolled-back', done: [], uncertain: [], notUndone: [], message: 'the API server refused it. Rolled back: the cluster is as it was before this apply.' }));
  assert.match(rolledBack.refusal!, /\nNext: nothing of it is left in the cluster\. Fix the cause, then \/fsm plan staging, then \/fsm apply staging\.$/);
  const failed = await reportOutcome(context(created), ENVIRONMENT, SHA, 'bob', deployed({ result: 'failed', done: [], uncertain: [], notUndone: ['update MeshConfig'], message: 'Rollback incomplete' }), 'merge deploy');
  assert.match(failed.refusal!, /\nNext: the cluster needs attention\. .*\/fsm status and the drift issue show where staging stands\. Once it is mended, deploy it with a new pull request or the CLI/);
  assert.match(created[1]!, /Next: the cluster needs attention/, 'the fsm-deploy-failed issue says it too');
  assert.match(created[1]!, /\n\nNot undone:\n- update MeshConfig\n/, 'the issue lists what was not undone, one per line');
  assert.doesNotMatch(created[0]!, /Not undone/);
  assert.match(created[1]!, /^❌ The merge deploy of `bbbbbbb` to `staging` by bob failed/m);
  const rollback = await reportOutcome(context(created), ENVIRONMENT, SHA, 'bob', deployed({ result: 'rolled-back', done: [], uncertain: [], notUndone: [], message: 'refused' }), 'rollback');
  assert.match(created[2]!, /^❌ The rollback to `bbbbbbb` in `staging` by bob failed/m, 'a rollback goes back to the commit it names');
  assert.match(rollback.log[0]!, /^❌ `staging`: rollback to `bbbbbbb` by bob failed/);

  const many = Array.from({ length: 60 }, (_, i) => `delete Plugin p${i}: the rollback's time is up`);
  const failedMany: string[] = [];
  await reportOutcome(context(failedMany), ENVIRONMENT, SHA, 'bob', deployed({ result: 'failed', done: [], uncertain: [], notUndone: many, message: 'Rollback incomplete' }));
  assert.equal(failedMany[0]!.match(/^- delete Plugin p\d+/gm)?.length, 50);
  assert.match(failedMany[0]!, /^- and 10 more$/m);
});

test('after the cluster was written, GitHub refusing the failure issue for good (a missing permission) is said in the deploy log, not thrown: the report goes on (a rollback is pinned after it)', async () => {
  const refused = new MissingPermissionError('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', 'issues: write', 'Resource not accessible by integration');
  const withOpenIssue = { listForRepo: async () => ({ data: [{ number: 40, body: '<!-- fsm-gitops:deploy-failed staging -->', user: { login: 'fsm-gitops[bot]' }, labels: [{ name: 'fsm-deploy-failed' }] }] }), createComment: async () => Promise.reject(refused), create: async () => Promise.reject(refused), update: async () => Promise.reject(refused) };
  const ctx = { octokit: { rest: { issues: withOpenIssue } }, ref: { owner: 'acme', repo: 'mesh-config' }, identity: { botLogin: 'fsm-gitops[bot]' } } as unknown as EventContext;
  const applied = await reportOutcome(ctx, ENVIRONMENT, SHA, 'bob', deployed({ result: 'applied', done: ['update MeshConfig fsm-system/fsm-mesh-config'], uncertain: [], notUndone: [] }), 'rollback');
  assert.equal(applied.log.length, 2, applied.log.join('\n'));
  assert.match(applied.log[0]!, /^✅ `staging`: rollback to `bbbbbbb` by bob: 1 object\(s\) applied \(Deployment 7\)$/);
  assert.match(applied.log[1]!, /^⚠️ `staging`: its open fsm-deploy-failed issue could not be closed: GitHub refused POST .* "issues: write"/);
  const noIssues = { ...withOpenIssue, listForRepo: async () => ({ data: [] }) };
  const failed = await reportOutcome({ ...ctx, octokit: { rest: { issues: noIssues } } } as unknown as EventContext, ENVIRONMENT, SHA, 'bob', deployed({ result: 'rolled-back', done: [], uncertain: [], notUndone: [], message: 'refused' }));
  assert.match(failed.log[0]!, /^❌ `staging`: apply of `bbbbbbb` by bob failed \(Deployment 7\): refused; the fsm-deploy-failed issue could not be opened: GitHub refused/);
  // Any other error is thrown: the delivery is tried again, and the retry finds the apply done.
  const flaky = { ...noIssues, create: async () => Promise.reject(Object.assign(new Error('Server Error'), { status: 502 })) };
  await assert.rejects(reportOutcome({ ...ctx, octokit: { rest: { issues: flaky } } } as unknown as EventContext, ENVIRONMENT, SHA, 'bob', deployed({ result: 'rolled-back', done: [], uncertain: [], notUndone: [], message: 'refused' })), /Server Error/);
});

test("a claim taken meanwhile is named as GitHub links it: #12 of this repository, acme/platform#12 of another sharing the cluster", async () => {
  const plan = { name: 'staging', path: 'clusters/staging', liveSource: 'test', changes: [], findings: [], restarts: [] };
  const claimed = (repository: string): DeployOutcome => ({ status: 'claimed', plan, holder: { repository, pr: 12, headSha: 'c'.repeat(40), actor: 'dave', since: '2026-12-04T00:00:00Z' }, warnings: [] });
  assert.equal((await reportOutcome(context([]), ENVIRONMENT, SHA, 'bob', claimed('acme/mesh-config'))).refusal, 'staging: not applied: locked by #12 meanwhile; merge or close it, or /fsm unlock staging');
  assert.equal((await reportOutcome(context([]), ENVIRONMENT, SHA, 'bob', claimed('acme/platform'))).refusal, 'staging: not applied: locked by acme/platform#12 meanwhile; merge or close it, or /fsm unlock staging');
});

test('the warnings of an apply that went no further are in the deploy log too (a lock taken over from an interrupted apply, one not released)', async () => {
  const plan = { name: 'staging', path: 'clusters/staging', liveSource: 'test', changes: [], findings: [], restarts: [] };
  const warnings = ['staging: took over the apply lock of github-app/d-1 (commit abc1234), which stopped renewing it', 'the apply lock of staging could not be released (timeout); it expires by itself within 60 s'];
  const refused = await reportOutcome(context([]), ENVIRONMENT, SHA, 'bob', { status: 'refused', reason: 'the plan of bbbbbbb has errors', plan, warnings });
  assert.match(refused.refusal!, /^staging: not applied: the plan of bbbbbbb has errors/);
  assert.deepEqual(refused.log, warnings.map((w) => `⚠️ \`staging\`: ${w}`));
  const inSync = await reportOutcome(context([]), ENVIRONMENT, SHA, 'bob', { status: 'in-sync', plan, warnings: warnings.slice(1) });
  assert.equal(inSync.log.length, 2);
  assert.match(inSync.log[1]!, /^⚠️ `staging`: the apply lock of staging could not be released/);
});

test('a merge deploy that stopped before writing says the warnings gathered before it, in the deploy log and in its fsm-deploy-failed issue', async () => {
  const created: string[] = [];
  const error = withWarnings(new Error('cannot reach the Kubernetes API server'), ['staging: took over the apply lock of fsm-gitops-cli/ops@ci (commit abc1234), which stopped renewing it']);
  const lines = await reportStopped(context(created), 'staging', SHA, 'bob', error);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^❌ `staging`: merge deploy of `bbbbbbb` by bob stopped \(issue #41\): cannot reach the Kubernetes API server; it is not tried again/);
  // Escaped as the deploy log's other lines: `@ci` mentions nobody.
  assert.equal(lines[1], '⚠️ `staging`: staging: took over the apply lock of fsm-gitops-cli/ops@\u200bci (commit abc1234), which stopped renewing it');
  assert.match(created[0]!, /stopped: cannot reach the Kubernetes API server\n\n⚠️ staging: took over the apply lock of fsm-gitops-cli\/ops@\u200bci/);
  assert.deepEqual(await reportStopped(context([]), 'staging', SHA, 'bob', new Error('down')).then((l) => l.length), 1, 'an error without warnings: one line');
});
