import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import nock from 'nock';
import { cli, writeKubeconfig } from '../support/cli.ts';

const SERVER = 'https://kube.credentials.test:6443';

afterEach(() => nock.cleanAll());

const kubeconfig = (t: { after(fn: () => Promise<void>): void }) => writeKubeconfig(t, { server: SERVER, cluster: 'staging', context: 'staging' });

const answer = (status: number, reason: string, message: string) =>
  nock(SERVER).persist().intercept(/.*/, 'GET').reply(status, { kind: 'Status', status: 'Failure', reason, message, code: status }).intercept(/.*/, 'PUT').reply(status, { kind: 'Status', reason, message, code: status }).intercept(/.*/, 'POST').reply(status, { kind: 'Status', reason, message, code: status });

test('a token the API server does not accept (401) is said to be the credentials, not missing permissions: plan and apply', async (t) => {
  const config = await kubeconfig(t);
  answer(401, 'Unauthorized', 'Unauthorized');
  const args = ['--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', config];
  for (const run of [await cli(['plan', ...args]), await cli(['apply', ...args, '--yes'])]) {
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /Unauthorized \(the API server at https:\/\/kube\.credentials\.test:6443 did not accept the credentials: the token or client certificate is wrong, expired/);
    assert.doesNotMatch(run.stderr, /rbac|lack a permission/i);
  }
});

test('RBAC\'s 403 is said to be a missing permission, pointing at deploy/rbac.yaml', async (t) => {
  const config = await kubeconfig(t);
  answer(403, 'Forbidden', 'customresourcedefinitions.apiextensions.k8s.io "meshconfigs.config.flomesh.io" is forbidden: User "x" cannot get resource');
  const run = await cli(['plan', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', config]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /is forbidden: User "x" cannot get resource \(the credentials for https:\/\/kube\.credentials\.test:6443 lack a permission fsm-gitops needs: see deploy\/rbac\.yaml\)/);
});
