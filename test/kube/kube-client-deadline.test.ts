import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, before, beforeEach, test } from 'node:test';
import { DeadlineExceededError, KubeClient, type KubeClientOptions } from '../../src/kube/kube-client.ts';
import { KubeApiError, KubeUnreachableError } from '../../src/kube/kube-errors.ts';

// A real HTTP server on loopback (nock 14 does not time out a delayed answer, so it cannot play a server
// that never answers): each request takes the next answer queued; 'hang' never answers.
type Answer = { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number } | 'hang';
const answers: Answer[] = [];
let received = 0;
const hanging: ServerResponse[] = [];
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  received++;
  request.resume();
  const answer = answers.shift() ?? { status: 500, body: { message: 'no answer queued' } };
  if (answer === 'hang') return void hanging.push(response);
  setTimeout(() => response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body ?? {})), answer.delayMs ?? 0);
});
let kubeconfig = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  kubeconfig = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;
});
beforeEach(() => {
  answers.length = 0;
  received = 0;
});
after(() => {
  for (const response of hanging) response.destroy();
  server.close();
});

const PATH = '/api/v1/namespaces/fsm-system/configmaps/x';
const clientWith = (options: KubeClientOptions) => KubeClient.fromString(kubeconfig, undefined, options);
const read = (client: KubeClient, extra: { guard?: () => number | void; timeoutMs?: number; retry?: KubeClientOptions['retry'] } = {}) =>
  client.request({ method: 'GET', path: PATH, what: 'read x', ...extra });
const ok = (body: unknown = { ok: true }): Answer => ({ status: 200, body });
const unavailable = (headers?: Record<string, string>): Answer => ({ status: 503, body: { kind: 'Status', code: 503, message: 'the server is currently unable to handle the request' }, ...(headers ? { headers } : {}) });

async function elapsed<T>(run: () => Promise<T>): Promise<{ ms: number; outcome: T | Error }> {
  const start = Date.now();
  const outcome = await run().catch((error: unknown) => error as Error);
  return { ms: Date.now() - start, outcome };
}

test('withDeadline: a request the server never answers fails promptly at the deadline, and no retry starts after it', async () => {
  answers.push('hang', ok());
  const client = clientWith({ retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 } }).withDeadline(Date.now() + 300);
  const { ms, outcome } = await elapsed(() => read(client));
  assert.ok(outcome instanceof DeadlineExceededError || outcome instanceof KubeUnreachableError, `failed: ${String(outcome)}`);
  assert.ok(ms >= 250 && ms < 2_000, `at the deadline (${ms} ms), not the client's 30 s timeout`);
  assert.equal(received, 1, 'no second attempt: it would have been answered');
});

test('withDeadline: a retry that would wait past the deadline is not made; the last answer is thrown at once', async () => {
  answers.push(unavailable({ 'retry-after': '3' }), ok());
  const client = clientWith({ retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 5_000 } }).withDeadline(Date.now() + 1_000);
  const { ms, outcome } = await elapsed(() => read(client));
  assert.ok(outcome instanceof KubeApiError && outcome.status === 503, String(outcome));
  assert.ok(ms < 900, `did not wait for the Retry-After (${ms} ms)`);
  assert.equal(received, 1);
});

test('withDeadline: once the deadline passed, no request is sent; withDeadline(undefined) lifts it', async () => {
  answers.push(ok());
  const late = clientWith({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } }).withDeadline(Date.now() - 1);
  await assert.rejects(read(late), (e: unknown) => e instanceof DeadlineExceededError && /read x: the time limit of this run is up/.test(e.message));
  assert.equal(received, 0, 'nothing sent');
  assert.deepEqual(await read(late.withDeadline(undefined)), { ok: true });
});

test('a named deadline (a rollback\'s time) is named in the error, not the command\'s --timeout; a new deadline drops the name', async () => {
  const named = clientWith({}).withDeadline(Date.now() - 1, "the rollback's time (60 s after a failure)");
  await assert.rejects(read(named), (e: unknown) => e instanceof DeadlineExceededError && e.message === "read x: the rollback's time (60 s after a failure) is up");
  await assert.rejects(read(named.withDeadline(Date.now() - 1)), /read x: the time limit of this run is up \(the CLI's --timeout/);
});

test('withDeadline: retries go on while the deadline allows', async () => {
  answers.push(unavailable(), unavailable(), ok());
  const client = clientWith({ retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 } }).withDeadline(Date.now() + 5_000);
  assert.deepEqual(await read(client), { ok: true });
  assert.equal(received, 3);
});

test('guard runs before every attempt; a guard that throws stops the retries with its error', async () => {
  answers.push(unavailable(), unavailable(), ok());
  const client = clientWith({ retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 } });
  let calls = 0;
  assert.deepEqual(await read(client, { guard: () => void calls++ }), { ok: true });
  assert.equal(calls, 3);
  assert.equal(received, 3);

  received = 0;
  answers.push(unavailable(), ok());
  const stop = new Error('lost the apply lock');
  let tries = 0;
  await assert.rejects(
    read(client, {
      guard: () => {
        if (++tries === 2) throw stop;
      },
    }),
    (e: unknown) => e === stop,
  );
  assert.equal(received, 1, 'the second attempt was never sent');
});

test('a guard that throws before the first attempt sends nothing', async () => {
  answers.push(ok());
  await assert.rejects(
    read(clientWith({}), {
      guard: () => {
        throw new Error('fenced');
      },
    }),
    /fenced/,
  );
  assert.equal(received, 0);
});

test('a per-request timeoutMs overrides the client\'s, shorter and longer', async () => {
  answers.push('hang');
  const patient = clientWith({ timeoutMs: 30_000, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  const { ms, outcome } = await elapsed(() => read(patient, { timeoutMs: 200 }));
  assert.ok(outcome instanceof KubeUnreachableError && /no answer within 0\.2 s/.test(outcome.message), String(outcome));
  assert.ok(ms < 2_000, `${ms} ms`);

  answers.push({ status: 200, body: { ok: true }, delayMs: 300 });
  const hasty = clientWith({ timeoutMs: 50, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  assert.deepEqual(await read(hasty, { timeoutMs: 3_000 }), { ok: true });
});

test('a per-request retry policy overrides the client\'s, more and fewer attempts', async () => {
  answers.push(unavailable(), unavailable(), ok());
  const once = clientWith({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  assert.deepEqual(await read(once, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } }), { ok: true });

  received = 0;
  answers.length = 0;
  answers.push(unavailable(), ok());
  const persistent = clientWith({ retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 } });
  await assert.rejects(read(persistent, { retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } }), (e: unknown) => e instanceof KubeApiError && e.status === 503);
  assert.equal(received, 1);
});

test('a guard that returns ms (the Lease\'s remaining validity) caps the attempt: a write cannot land after it', async () => {
  answers.push('hang');
  const client = clientWith({ timeoutMs: 30_000, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  const { ms, outcome } = await elapsed(() => read(client, { guard: () => 250 }));
  assert.ok(outcome instanceof KubeUnreachableError, String(outcome));
  assert.match(outcome.message, /no answer within 0\.3 s/);
  assert.ok(ms < 2_000, `${ms} ms`);
});
