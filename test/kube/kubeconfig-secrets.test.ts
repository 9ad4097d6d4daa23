import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubeClient } from '../../src/kube/kube-client.ts';

const config = (server: string, user = '{ token: kc-token-secret-1 }'): string => `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}" } }]
users: [{ name: u, user: ${user} }]
contexts: [{ name: ctx, context: { cluster: c, user: u } }]
current-context: ctx
`;

test('a kubeconfig with a YAML error says where and why, never its lines (token and key)', () => {
  const broken = `${config('https://kube.test:6443')}users:\n- name: v\n  user:\n    client-key-data: LS0tkeydata\n    token: kc-token-secret-2\n   bad: [\n`;
  assert.throws(
    () => KubeClient.fromString(broken),
    (error: Error) => {
      assert.match(error.message, /not valid YAML: .* \(line \d+, column \d+\)/);
      for (const secret of ['kc-token-secret-1', 'kc-token-secret-2', 'LS0tkeydata']) assert.ok(!error.message.includes(secret), error.message);
      return true;
    },
  );
});

test('a server URL with user:password@ is shown without them; requests still use the kubeconfig URL', async () => {
  const client = KubeClient.fromString(config('https://admin:kc-pass-3@127.0.0.1:1'), undefined, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, timeoutMs: 2_000 });
  assert.equal(client.server, 'https://127.0.0.1:1');
  assert.equal(JSON.stringify(client), '{"server":"https://127.0.0.1:1"}');
  await assert.rejects(client.get('/api', 'the API'), (error: Error) => {
    assert.match(error.message, /cannot reach the Kubernetes API server https:\/\/127\.0\.0\.1:1/);
    assert.ok(!error.message.includes('kc-pass-3'), error.message);
    return true;
  });
});
