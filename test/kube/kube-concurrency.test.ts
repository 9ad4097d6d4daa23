import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_KUBE_CONCURRENCY, kubeConcurrencyFromEnv } from '../../src/kube/kube-concurrency.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';

test('FSM_GITOPS_KUBE_CONCURRENCY: 1 to 256, 16 when unset or blank; anything else is refused, naming the variable', () => {
  assert.equal(kubeConcurrencyFromEnv({}), DEFAULT_KUBE_CONCURRENCY);
  assert.equal(DEFAULT_KUBE_CONCURRENCY, 16);
  assert.equal(kubeConcurrencyFromEnv({ FSM_GITOPS_KUBE_CONCURRENCY: ' ' }), 16);
  assert.equal(kubeConcurrencyFromEnv({ FSM_GITOPS_KUBE_CONCURRENCY: '1' }), 1);
  assert.equal(kubeConcurrencyFromEnv({ FSM_GITOPS_KUBE_CONCURRENCY: ' 64 ' }), 64);
  assert.equal(kubeConcurrencyFromEnv({ FSM_GITOPS_KUBE_CONCURRENCY: '256' }), 256);
  for (const bad of ['0', '257', '-1', '1.5', '16x', 'many', '1e3', '0x10']) {
    assert.throws(() => kubeConcurrencyFromEnv({ FSM_GITOPS_KUBE_CONCURRENCY: bad }), /FSM_GITOPS_KUBE_CONCURRENCY is ".*": it must be a whole number from 1 to 256/, bad);
  }
});

test('a client\'s concurrency: its option, else the setting; its withDeadline copies share it', () => {
  const kubeconfig = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://kube.test" } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;
  const client = KubeClient.fromString(kubeconfig, undefined, { concurrency: 3 });
  assert.equal(client.concurrency, 3);
  assert.equal(client.withDeadline(Date.now() + 1000).concurrency, 3);
  assert.equal(KubeClient.fromString(kubeconfig).concurrency, kubeConcurrencyFromEnv(process.env));
});
