import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { InProcessQueue } from '../../src/queue/in-process-queue.ts';
import type { QueuedEvent } from '../../src/queue/queued-event.ts';
import { createWebhookServer } from '../../src/server/webhook-server.ts';
import { pullRequestPayload } from '../support/webhook-payloads.ts';

const SECRET = 's3cret';
const handled: string[] = [];
let release: () => void = () => {};
let gate = new Promise<void>((resolve) => (release = resolve));
let failuresLeft = 0;
const queue = new InProcessQueue(
  async (event: QueuedEvent) => {
    await gate;
    if (failuresLeft > 0) {
      failuresLeft--;
      throw new Error('transient');
    }
    handled.push(`${event.repository.fullName}:${event.delivery}`);
    return 'handled';
  },
  { maxAttempts: 3, retryDelayMs: () => 1, log: () => {} },
);
const server = createWebhookServer({ secret: SECRET, queue });
let url: string;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
});
after(() => server.close());

function deliver(id: string, repository: string, secret = SECRET): Promise<Response> {
  const payload = pullRequestPayload('opened', { number: 7, headSha: 'a'.repeat(40) });
  payload['repository'].full_name = repository;
  payload['repository'].id = [...repository].reduce((sum, c) => sum * 31 + c.charCodeAt(0), 7) % 1_000_000;
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return fetch(url, { method: 'POST', headers: { 'x-github-event': 'pull_request', 'x-github-delivery': id, 'x-hub-signature-256': signature, 'content-type': 'application/json' }, body });
}

test('deliveries are answered 202 before they are handled, then handled in order per repository, duplicates once', async () => {
  assert.equal((await deliver('1', 'acme/a')).status, 202);
  assert.equal((await deliver('2', 'acme/a')).status, 202);
  assert.equal((await deliver('3', 'acme/b')).status, 202);
  const duplicate = await deliver('2', 'acme/a');
  assert.equal(duplicate.status, 202);
  assert.match(await duplicate.text(), /was received before: it is handled once/);
  assert.equal(handled.length, 0, 'nothing handled yet: the answers came first');
  release();
  await queue.drained();
  assert.deepEqual(handled.filter((h) => h.startsWith('acme/a')), ['acme/a:1', 'acme/a:2']);
  assert.equal(handled.length, 3);
});

test('a forged signature is 401 and nothing is queued', async () => {
  const before = handled.length;
  assert.equal((await deliver('9', 'acme/a', 'wrong')).status, 401);
  await queue.drained();
  assert.equal(handled.length, before);
});

test('a failing delivery is tried again', async () => {
  gate = Promise.resolve();
  failuresLeft = 2;
  await deliver('10', 'acme/c');
  await queue.drained();
  assert.ok(handled.includes('acme/c:10'));
});
