import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { InProcessQueue } from '../../src/queue/in-process-queue.ts';
import { createWebhookServer, type IntakeLimits } from '../../src/server/webhook-server.ts';
import { pullRequestPayload } from '../support/webhook-payloads.ts';

const SECRET = 's3cret';
const LIMIT = 64 * 1024;
const WELL_FORMED = `sha256=${'0'.repeat(64)}`;

interface Started {
  port: number;
  /** Bytes the server read from each connection it accepted, headers included. */
  bytesRead(): number[];
  queued: string[];
}

async function start(t: TestContext, limits: Partial<IntakeLimits> = {}): Promise<Started> {
  const queued: string[] = [];
  const queue = new InProcessQueue(async (event) => (queued.push(event.delivery), 'done'), { log: () => {} });
  const server = createWebhookServer({ secret: SECRET, queue, limits: { maxBodyBytes: LIMIT, timeoutMs: 2_000, ...limits } });
  const sockets: Socket[] = [];
  server.on('connection', (socket: Socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { log, error } = console;
  console.log = console.error = () => {};
  t.after(() => {
    Object.assign(console, { log, error });
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, bytesRead: () => sockets.map((s) => s.bytesRead), queued };
}

interface Exchange {
  socket: Socket;
  /** Resolves with what the server sent once it closed the connection (or after 5 s: `timed out`). */
  answer: Promise<string>;
}

/** A raw HTTP/1.1 POST: the request line and headers now, the body (if any) written by the caller. */
function open(port: number, headers: Record<string, string | number>): Exchange {
  const socket = connect(port, '127.0.0.1');
  socket.write(`POST /api/github/webhooks HTTP/1.1\r\nhost: localhost\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  const answer = new Promise<string>((resolve) => {
    let text = '';
    const timer = setTimeout(() => (socket.destroy(), resolve(`timed out; got: ${text}`)), 5_000);
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', () => {}); // a reset after the answer: the server stopped reading the body
    socket.on('close', () => (clearTimeout(timer), resolve(text)));
  });
  return { socket, answer };
}

const delivery = (id: string) => ({ 'x-github-event': 'pull_request', 'x-github-delivery': id });
const statusOf = (answer: string) => answer.split('\r\n')[0];

/** Writes `total` bytes in 16 KiB pieces, stopping when the server closes the connection. */
async function pour(socket: Socket, total: number, chunked: boolean): Promise<number> {
  const piece = Buffer.alloc(16 * 1024, 'x');
  let sent = 0;
  while (sent < total && !socket.destroyed && socket.writable) {
    const frame = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
    const flushed = socket.write(frame);
    sent += piece.length;
    if (!flushed) await new Promise((resolve) => (socket.once('drain', resolve), socket.once('close', resolve)));
  }
  return sent;
}

test('a request without a well-formed signature header is refused 401 before a byte of its body is read', async (t) => {
  const server = await start(t);
  for (const signature of [undefined, 'sha256=abc', `sha1=${'0'.repeat(40)}`]) {
    const { answer } = open(server.port, { ...delivery('u'), 'content-length': 1_000_000, ...(signature ? { 'x-hub-signature-256': signature } : {}) });
    assert.equal(statusOf(await answer), 'HTTP/1.1 401 Unauthorized', `signature ${signature}`);
  }
  for (const read of server.bytesRead()) assert.ok(read < 1_000, `${read} bytes read: only the headers`);
});

test('a Content-Length over the limit is refused 413 at once, nothing of the body read', async (t) => {
  const server = await start(t);
  const { answer } = open(server.port, { ...delivery('big'), 'x-hub-signature-256': WELL_FORMED, 'content-length': 100 * 1024 * 1024 });
  const text = await answer;
  assert.equal(statusOf(text), 'HTTP/1.1 413 Payload Too Large');
  assert.match(text, /the body is over 65536 bytes \(WEBHOOK_MAX_BODY_BYTES\)/);
  assert.ok(server.bytesRead()[0]! < 1_000);
});

test('a chunked body that grows past the limit is refused 413 and the connection closed: the server reads about the limit, not the body', async (t) => {
  const server = await start(t);
  const exchange = open(server.port, { ...delivery('chunked'), 'x-hub-signature-256': WELL_FORMED, 'transfer-encoding': 'chunked' });
  const sent = pour(exchange.socket, 16 * LIMIT, true);
  assert.equal(statusOf(await exchange.answer), 'HTTP/1.1 413 Payload Too Large');
  await sent;
  const [read] = server.bytesRead();
  assert.ok(read! < 4 * LIMIT, `the server read ${read} bytes of a ${16 * LIMIT}-byte body`);
});

test('a client that sends its body slowly is answered 408 when the time is up and its connection closed', async (t) => {
  const server = await start(t, { timeoutMs: 300 });
  const started = Date.now();
  const { socket, answer } = open(server.port, { ...delivery('slow'), 'x-hub-signature-256': WELL_FORMED, 'content-length': 1000 });
  socket.write('{"act');
  const text = await answer;
  assert.equal(statusOf(text), 'HTTP/1.1 408 Request Timeout');
  assert.ok(Date.now() - started < 2_000, `${Date.now() - started} ms`);
});

test('a client that never finishes its headers is dropped after the time limit', async (t) => {
  const server = await start(t, { timeoutMs: 300 });
  const socket = connect(server.port, '127.0.0.1');
  socket.write('POST /api/github/webhooks HTTP/1.1\r\nx-slow: ');
  const closed = await new Promise<boolean>((resolve) => {
    socket.on('error', () => {});
    socket.on('close', () => resolve(true));
    socket.resume();
    setTimeout(() => resolve(false), 4_000);
  });
  socket.destroy();
  assert.ok(closed, 'the connection was closed');
});

test('bodies in flight are bounded: one past the bound is answered 503 at once, so slow clients cannot hold N × the limit', async (t) => {
  const server = await start(t, { maxInFlight: 2, timeoutMs: 3_000 });
  const slow = [open(server.port, { ...delivery('s1'), 'x-hub-signature-256': WELL_FORMED, 'content-length': 100 }), open(server.port, { ...delivery('s2'), 'x-hub-signature-256': WELL_FORMED, 'content-length': 100 })];
  for (const { socket } of slow) socket.write('{');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const third = open(server.port, { ...delivery('s3'), 'x-hub-signature-256': WELL_FORMED, 'content-length': 100 });
  const started = Date.now();
  assert.equal(statusOf(await third.answer), 'HTTP/1.1 503 Service Unavailable');
  assert.ok(Date.now() - started < 1_000);
  for (const { socket } of slow) socket.destroy();
});

test('a signed delivery streamed in many chunks is verified as it arrives and queued', async (t) => {
  const server = await start(t);
  const body = Buffer.from(JSON.stringify(pullRequestPayload('opened', { number: 7, headSha: 'a'.repeat(40) })));
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  const { socket, answer } = open(server.port, { ...delivery('ok'), 'x-hub-signature-256': signature, 'transfer-encoding': 'chunked', connection: 'close' });
  for (let at = 0; at < body.length; at += 100) {
    const piece = body.subarray(at, at + 100);
    socket.write(`${piece.length.toString(16)}\r\n`);
    socket.write(piece);
    socket.write('\r\n');
  }
  socket.write('0\r\n\r\n');
  assert.equal(statusOf(await answer), 'HTTP/1.1 202 Accepted');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(server.queued, ['ok']);
});
