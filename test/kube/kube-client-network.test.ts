import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { KubeUnreachableError } from '../../src/kube/kube-errors.ts';
import { StallingKubeServer } from '../support/stalling-kube-server.ts';

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

test('an aborted signal stops a request the server answers 503: no retry after the abort, its reason is the error', async () => {
  const server = await StallingKubeServer.start({ kind: 'answer', status: 503 });
  const client = KubeClient.fromString(server.kubeconfig(), undefined, { retry: { attempts: 5, baseDelayMs: 100, maxDelayMs: 100 } });
  try {
    const controller = new AbortController();
    const reason = new Error('no longer wanted');
    const request = client.withSignal(controller.signal).request({ method: 'GET', path: '/z', what: 'read z' });
    await server.reached;
    controller.abort(reason);
    await assert.rejects(request, (e: unknown) => e === reason);
    const sent = server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(server.requests.length, sent, 'no attempt after the abort');
    assert.ok(sent < 5, `stopped before its retries ran out (${sent} sent)`);
    // The client itself is not stopped: a request without the signal is made as before (and retried).
    await assert.rejects(client.request({ method: 'GET', path: '/z', what: 'read z', retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }), /read z/);
    assert.equal(server.requests.length, sent + 2);
  } finally {
    client.close();
    await server.stop();
  }
});

test('16 requests in flight under two signals (an interrupt, and a read that may be stopped) raise no MaxListenersExceededWarning', async () => {
  const server = await StallingKubeServer.start({ kind: 'hang' });
  const client = KubeClient.fromString(server.kubeconfig(), undefined, { timeoutMs: 120_000, concurrency: 16 });
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning);
  process.on('warning', onWarning);
  try {
    const interrupt = new AbortController();
    setMaxListeners(0, interrupt.signal); // as ApplyInterruption does: the caller's own signal
    const read = new AbortController();
    const both = client.withSignal(interrupt.signal).withSignal(read.signal);
    const requests = Array.from({ length: 16 }, (_, i) => both.request({ method: 'GET', path: `/z${i}`, what: 'read z' }).catch(() => undefined));
    while (server.requests.length < 16) await new Promise((resolve) => setTimeout(resolve, 10));
    interrupt.abort();
    await Promise.all(requests);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message), []);
  } finally {
    process.off('warning', onWarning);
    client.close();
    await server.stop();
  }
});

test('an aborted signal cuts off a request the server never answers and closes its connection; an aborted client sends nothing', async () => {
  const server = await StallingKubeServer.start({ kind: 'hang' });
  const client = KubeClient.fromString(server.kubeconfig(), undefined, { timeoutMs: 120_000 });
  try {
    const controller = new AbortController();
    const stopped = client.withSignal(controller.signal);
    const request = stopped.request({ method: 'GET', path: '/z', what: 'read z' });
    await server.reached;
    controller.abort();
    await assert.rejects(request, { name: 'AbortError' });
    await server.allClosed();
    assert.equal(server.openSockets, 0);
    await assert.rejects(stopped.list('/api/v1/namespaces', 'list namespaces'), { name: 'AbortError' });
    assert.deepEqual(server.requests, ['GET /z']);
  } finally {
    client.close();
    await server.stop();
  }
});
