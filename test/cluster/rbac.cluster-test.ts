import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Claims } from '../../src/deploy/claims.ts';
import { Pins } from '../../src/deploy/pins.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { cli } from '../support/cli.ts';
import { startSeededCluster, stopCluster, serves } from '../support/kube-test-cluster.ts';
import { applyRbacFile, serviceAccountKubeconfig } from '../support/service-account.ts';

let kubeconfig: string;
let restricted: string;

before(async () => {
  let admin: KubeClient;
  ({ kubeconfig, client: admin } = await startSeededCluster());
  await applyRbacFile(admin, 'deploy/rbac.yaml');
  restricted = await serviceAccountKubeconfig(admin, kubeconfig);
});
after(() => stopCluster(kubeconfig));

test('plan works with only the permissions of deploy/rbac.yaml', async () => {
  const run = await cli(['plan', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', restricted, ...serves()]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Plan: 3 to create, 1 to update, 2 to delete, 1 pending/);
});

test('apply works with only those permissions, and a second plan is clean', async () => {
  const run = await cli(['apply', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', restricted, ...serves(), '--yes', '--commit', 'rbac-test']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Applied 6 changes to staging/);
  const again = await cli(['apply', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', restricted, ...serves(), '--yes']);
  assert.match(again.stdout, /nothing to apply/);
});

test('the GitHub App\'s claims and pins work with only those permissions', async () => {
  const client = KubeClient.fromFile(restricted);
  const claims = new Claims(client, 'fsm-system');
  const claim = { repository: 'acme/mesh-config', pr: 7, headSha: 'a'.repeat(40), actor: 'alice', since: '2026-11-30T12:00:00Z' };
  assert.deepEqual(await claims.take('staging', claim), { taken: true });
  assert.deepEqual(await claims.take('staging', { ...claim, pr: 8 }), { taken: false, holder: claim });
  assert.deepEqual(await claims.release('staging', claim), claim);
  const pins = new Pins(client, 'fsm-system');
  await pins.pin('staging', { sha: 'b'.repeat(40), deployment: 1, actor: 'alice', since: '2026-11-30T12:00:00Z' });
  assert.equal((await pins.unpin('staging'))?.sha, 'b'.repeat(40));
});

test('the identity cannot read Secrets one by one, nor touch other kinds', async () => {
  const client = KubeClient.fromFile(restricted, undefined, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  await assert.rejects(client.request({ method: 'GET', path: '/api/v1/namespaces/fsm-system/secrets/sh.helm.release.v1.fsm.v2', what: 'get secret' }), /forbidden/i);
  await assert.rejects(client.request({ method: 'GET', path: '/api/v1/namespaces/bookinfo/configmaps', what: 'list configmaps' }), /forbidden/i);
});
