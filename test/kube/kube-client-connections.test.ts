import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, test } from 'node:test';
import { DeadlineExceededError, KubeClient } from '../../src/kube/kube-client.ts';
import { KubeApiError } from '../../src/kube/kube-errors.ts';
import { FakeKube } from '../support/fake-kube.ts';
import { FakeKubeServer } from '../support/fake-kube-server.ts';

// A real HTTPS server on loopback: TLS handshakes and requests in flight are counted where they land.
const PATH = '/api/v1/namespaces/fsm-system/configmaps/x';
const fake = new FakeKube();
fake.seed(PATH, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'fsm-system' } });
let server: FakeKubeServer;
let inFlight = 0;
let most = 0;
/** When each request reached the server (ms since epoch). */
let arrivals: number[] = [];

before(async () => {
  server = await FakeKubeServer.start(fake);
});
beforeEach(() => {
  fake.fault = () => 'pass';
  arrivals = [];
  most = 0;
  server.delayMs = 0;
});
after(() => server.close());

/** Counts requests in flight at the server: the fault hook sees each arrive, the delay holds each answer. */
function track(delayMs: number): void {
  server.delayMs = delayMs;
  fake.fault = () => {
    arrivals.push(Date.now());
    most = Math.max(most, ++inFlight);
    setTimeout(() => inFlight--, delayMs);
    return 'pass';
  };
}

const client = (concurrency: number) => KubeClient.fromString(server.kubeconfig(), undefined, { concurrency, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
const read = (c: KubeClient) => c.request({ method: 'GET', path: PATH, what: 'read x' });

test('requests share kept-alive connections: 40 reads at once open at most `concurrency` of them, and never have more in flight', async () => {
  const c = client(4);
  const before = server.connections;
  track(15);
  await Promise.all(Array.from({ length: 40 }, () => read(c)));
  assert.equal(arrivals.length, 40);
  assert.equal(most, 4, 'four in flight at once, no more');
  assert.ok(server.connections - before <= 4, `${server.connections - before} TLS handshakes for 40 requests`);
  c.close();
});

test('a withDeadline copy and one request after another reuse the same connection', async () => {
  const c = client(4);
  const before = server.connections;
  await read(c);
  for (let i = 0; i < 5; i++) await read(c.withDeadline(Date.now() + 10_000));
  await read(c.withDeadline(undefined));
  assert.equal(server.connections - before, 1, 'one TLS handshake for seven requests');
  c.close();
});

test('a token source is asked for every request, over the same kept-alive connection', async () => {
  let issued = 0;
  const c = KubeClient.fromServer(server.url, readFileSync(new URL('../fixtures/tls/localhost.crt', import.meta.url)).toString('base64'), { token: async () => `token-${++issued}`, concurrency: 2 });
  const before = server.connections;
  server.authorizations.length = 0;
  for (let i = 0; i < 3; i++) await read(c);
  assert.deepEqual(server.authorizations, ['Bearer token-1', 'Bearer token-2', 'Bearer token-3']);
  assert.equal(server.connections - before, 1);
  c.close();
});

test('close() closes the connections of the client and its copies; a later request opens a new one', async () => {
  const c = client(2);
  await Promise.all([read(c), read(c.withDeadline(Date.now() + 10_000))]);
  assert.ok(server.open > 0, 'kept alive after the requests');
  c.close();
  for (let i = 0; i < 50 && server.open > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(server.open, 0);
  const before = server.connections;
  await read(c);
  assert.equal(server.connections - before, 1);
  c.close();
});

test('a process that used a client ends without close(): kept-alive connections do not hold it', async () => {
  const script = `import { KubeClient } from './src/kube/kube-client.ts';
const c = KubeClient.fromString(${JSON.stringify(server.kubeconfig())});
await Promise.all([1, 2, 3].map(() => c.request({ method: 'GET', path: ${JSON.stringify(PATH)}, what: 'read' })));
console.log('done');`;
  // Asynchronously: this process's event loop serves the child's requests.
  const child = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    const run = execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 }, (_error, stdout, stderr) =>
      resolve({ code: run.exitCode, signal: run.signalCode, stdout, stderr }),
    );
  });
  assert.equal(child.stdout.trim(), 'done', child.stderr);
  assert.equal(child.code, 0, `ended by itself (signal ${child.signal ?? 'none'})`);
});

test('a 429 holds back every request of the client for its Retry-After, then all go through', async () => {
  const c = client(2);
  track(5);
  let throttled = 0;
  const count = fake.fault;
  fake.fault = (request) => {
    count(request);
    return throttled++ === 0 ? new KubeApiError(429, { kind: 'Status', reason: 'TooManyRequests', message: 'Too many requests' }, 'read', '1') : 'pass';
  };
  const results = await Promise.all(Array.from({ length: 6 }, () => read(c)));
  assert.equal(results.length, 6);
  // The 429 went out first; the one already in flight beside it may land, and on a busy machine the one its answer let
  // start before the 429's answer was read; everything else (three more and the retry) waits the second out.
  const [first, ...rest] = arrivals;
  const early = rest.filter((at) => at - first! < 900);
  assert.ok(early.length <= 2, `${early.length} requests within the Retry-After: ${rest.map((at) => at - first!).join(', ')} ms`);
  assert.equal(arrivals.length, 7, 'six requests, one retried');
  c.close();
});

test('a Retry-After beyond the deadline is not waited for: the throttled request fails at once, and the ones queued behind it too', async () => {
  const c = client(1).withDeadline(Date.now() + 5_000);
  fake.fault = () => new KubeApiError(429, { kind: 'Status', reason: 'TooManyRequests', message: 'Too many requests' }, 'read', '3600');
  const started = Date.now();
  const outcomes = await Promise.allSettled([read(c), read(c), read(c)]);
  assert.ok(Date.now() - started < 3_000, `gave up in ${Date.now() - started} ms`);
  const reasons = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error) : undefined));
  assert.ok(reasons[0] instanceof KubeApiError && reasons[0].status === 429, String(reasons[0]));
  assert.ok(reasons.slice(1).every((r) => r instanceof DeadlineExceededError), reasons.map(String).join('; '));
  assert.equal(fake.requests.filter((r) => r.path === PATH).length > 0, true);
  c.close();
});
