import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeconfigCredentials } from '../../src/kube/kubeconfig-credentials.ts';
import { cli } from '../support/cli.ts';

/** A kubeconfig whose user's exec plugin fails, printing the secret its environment gives it (as a careless plugin does). */
async function failingExecKubeconfig(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-exec-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const script = "console.error('auth failed using secret ' + process.env.CLIENT_SECRET + ' for ' + process.env.LOGIN); process.exit(1)";
  const path = join(dir, 'config');
  await writeFile(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{ name: staging, cluster: { server: "https://127.0.0.1:1" } }]',
      `users: [{ name: me, user: { exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: ${JSON.stringify(process.execPath)}, args: ["-e", ${JSON.stringify(script)}], env: [{name: CLIENT_SECRET, value: HUNT-env-3xyz}, {name: LOGIN, value: sre-team}] } } }]`,
      'contexts: [{ name: staging, context: { cluster: staging, user: me } }]',
      'current-context: staging',
      '',
    ].join('\n'),
  );
  return path;
}

test("an exec plugin's failure is the user's to fix, said once, and the kubeconfig's credentials it quotes are hidden", async (t) => {
  const kubeconfig = await failingExecKubeconfig(t);
  for (const command of ['plan', 'apply']) {
    const run = await cli([command, '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', kubeconfig, ...(command === 'apply' ? ['--yes', '--timeout', '10'] : [])]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /fsm-gitops: kubeconfig user "me" could not get credentials from its exec plugin ".*": auth failed using secret •••••• for sre-team; the request was not sent/, run.stderr);
    assert.doesNotMatch(run.stderr, /HUNT-env-3xyz|This is a bug/, run.stderr);
  }
});

test("a kubeconfig's credentials are given in its own field names, so each is judged a credential by its key or its pair's name", () => {
  const config = new KubeConfig();
  config.loadFromString(
    [
      'apiVersion: v1',
      'clusters: [{ name: c, cluster: { server: "https://x" } }]',
      'users:',
      '- { name: a, user: { token: t-1, client-key-data: a2V5 } }',
      '- { name: b, user: { username: u, password: p-1 } }',
      '- { name: c, user: { exec: { command: aws, env: [{ name: AWS_SECRET_ACCESS_KEY, value: s-1 }] } } }',
      "- { name: d, user: { auth-provider: { name: oidc, config: { id-token: i-1, refresh-token: r-1, client-id: id } } } }",
      'contexts: [{ name: c, context: { cluster: c, user: a } }]',
      '',
    ].join('\n'),
  );
  assert.deepEqual(kubeconfigCredentials(config), {
    users: [
      { user: { token: 't-1', 'client-key-data': 'a2V5', exec: { env: null }, 'auth-provider': { config: null } } },
      { user: { password: 'p-1', exec: { env: null }, 'auth-provider': { config: null } } },
      { user: { exec: { env: [{ name: 'AWS_SECRET_ACCESS_KEY', value: 's-1' }] }, 'auth-provider': { config: null } } },
      { user: { exec: { env: null }, 'auth-provider': { config: { 'id-token': 'i-1', 'refresh-token': 'r-1', 'client-id': 'id' } } } },
    ],
  });
});
