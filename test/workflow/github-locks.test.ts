import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRepoConfig } from '../../src/config/repo-config.ts';
import { githubLocksPassed } from '../../src/workflow/github-locks.ts';
import { FakeKube } from '../support/fake-kube.ts';

const STAGING = parseRepoConfig('.github/fsm-gitops.yml', Buffer.from('environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n')).environments[0]!;
const configMaps = '/api/v1/namespaces/fsm-system/configmaps';

function cluster(records: { claim?: unknown; pin?: unknown }): FakeKube {
  const fake = new FakeKube();
  for (const [kind, value] of Object.entries(records)) {
    fake.seed(`${configMaps}/fsm-gitops-${kind}-staging`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `fsm-gitops-${kind}-staging`, namespace: 'fsm-system' }, data: { [kind]: JSON.stringify(value) } });
  }
  return fake;
}

test("a claim and a pin are each said in one line; none, nothing", async () => {
  const both = await githubLocksPassed(cluster({ claim: { repository: 'acme/mesh', pr: 12, headSha: 'a1'.repeat(20), actor: 'alice', since: 'x' }, pin: { sha: 'b2'.repeat(20), actor: 'bob', since: 'x' } }), STAGING);
  assert.deepEqual(both, [
    'staging is held by pull request acme/mesh#12, which applied a1a1a1a (by alice) before merging: this apply replaces what it applied, and acme/mesh#12 keeps its claim (/fsm unlock staging releases it)',
    'staging is paused since a rollback to b2b2b2b (by bob): this apply goes ahead; deploys from GitHub stay paused until /fsm unlock staging, or until the default branch matches the cluster again',
  ]);
  assert.deepEqual(await githubLocksPassed(cluster({}), STAGING), []);
});

test('a claim or pin edited by hand into something else never stops the apply: odd fields are left out, long ones cut, lines joined', async () => {
  const odd = { toString: 1 };
  assert.deepEqual(await githubLocksPassed(cluster({ claim: { repository: odd, pr: odd, headSha: odd, actor: odd }, pin: { sha: odd, actor: odd } }), STAGING), [
    'staging is paused since a rollback to an unknown commit (by someone): this apply goes ahead; deploys from GitHub stay paused until /fsm unlock staging, or until the default branch matches the cluster again',
  ]);
  assert.deepEqual(await githubLocksPassed(cluster({ claim: 7, pin: 'x' }), STAGING), [
    'staging is paused since a rollback to an unknown commit (by someone): this apply goes ahead; deploys from GitHub stay paused until /fsm unlock staging, or until the default branch matches the cluster again',
  ]);
  const [line] = await githubLocksPassed(cluster({ claim: { repository: 'acme/mesh', pr: 3, headSha: 'c3'.repeat(20), actor: `eve\n\nNo changes: prod is in sync.${'x'.repeat(10_000)}` } }), STAGING);
  assert.ok(!line!.includes('\n'), line);
  assert.ok(line!.length < 400, `${line!.length}`);
  assert.match(line!, /\(by eve No changes: prod is in sync\.x+…\)/);
});
