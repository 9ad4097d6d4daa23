import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { KubeUnreachableError } from '../../src/kube/kube-errors.ts';

// Real sockets on loopback; this file does not load nock, whose interception would stand between.
const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;
const fast = { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } };

test('a refused connection is KubeUnreachableError naming the server, after the retries', async () => {
  const closed = KubeClient.fromString(kubeconfig('https://127.0.0.1:1'), undefined, fast);
  await assert.rejects(
    closed.request({ method: 'GET', path: '/z', what: 'read z' }),
    (e: unknown) => e instanceof KubeUnreachableError && e.message === 'cannot reach the Kubernetes API server https://127.0.0.1:1: ECONNREFUSED',
  );
});

test('a server that accepts but never answers times out, is retried, then is unreachable', async () => {
  let connections = 0;
  const silent = createServer((socket) => {
    connections++;
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  try {
    const slow = KubeClient.fromString(kubeconfig(`https://127.0.0.1:${port}`), undefined, { ...fast, timeoutMs: 100 });
    await assert.rejects(slow.request({ method: 'GET', path: '/z', what: 'read z' }), (e: unknown) => e instanceof KubeUnreachableError && /no answer within 0\.1 s/.test(e.message));
    assert.equal(connections, 3, 'three attempts');
  } finally {
    silent.close();
  }
});
