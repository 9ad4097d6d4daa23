import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { formatDeliveryLine, MAX_OUTCOME_CHARS } from '../../src/queue/delivery-log.ts';
import { InProcessQueue } from '../../src/queue/in-process-queue.ts';
import { fromWebhook } from '../../src/events/from-webhook.ts';
import type { QueuedEvent } from '../../src/queue/queued-event.ts';
import { createWebhookServer } from '../../src/server/webhook-server.ts';
import { captured } from '../support/captured-console.ts';
import { pullRequestPayload } from '../support/webhook-payloads.ts';

const PAYLOAD_MARK = 'PAYLOAD-BODY-NEVER-LOGGED';

function event(): QueuedEvent {
  const payload = pullRequestPayload('opened', { number: 7, headSha: 'a'.repeat(40) });
  payload['pull_request'].body = PAYLOAD_MARK;
  return fromWebhook('pull_request', 'd-42', payload).event!;
}

test('the queue logs one JSON line per attempt: id, event, repository, outcome, ms; never the error\'s payload', async () => {
  let failures = 1;
  const queue = new InProcessQueue(
    async () => {
      if (failures-- > 0) {
        // What an Octokit RequestError handed through @octokit/webhooks carries: request, response, the delivery.
        throw Object.assign(new Error('Bad credentials\n    at GitHub'), { request: { headers: { authorization: 'token ghs_x' } }, response: { data: PAYLOAD_MARK }, event: { payload: { body: PAYLOAD_MARK } } });
      }
      return 'reviewed: 1 environment';
    },
    { retryDelayMs: () => 1 },
  );
  const lines = await captured(async () => {
    queue.push('g', event());
    await queue.drained();
  });
  assert.equal(lines.length, 2, lines.join('\n'));
  for (const line of lines) {
    assert.doesNotMatch(line, /\n/);
    assert.doesNotMatch(line, new RegExp(`${PAYLOAD_MARK}|ghs_x`));
  }
  const [failed, handled] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual({ ...failed, ms: 0 }, { level: 'error', msg: 'delivery', id: 'd-42', event: 'pull_request.opened', repository: 'acme/mesh-config', outcome: 'failed, will be retried (attempt 1 of 5): Bad credentials at GitHub', ms: 0, attempt: 1 });
  assert.equal(typeof failed!['ms'], 'number');
  assert.deepEqual({ ...handled, ms: 0 }, { level: 'info', msg: 'delivery', id: 'd-42', event: 'pull_request.opened', repository: 'acme/mesh-config', outcome: 'reviewed: 1 environment', ms: 0, attempt: 2 });
});

test('a line stays one line of bounded length whatever the outcome holds', () => {
  const line = JSON.parse(formatDeliveryLine({ level: 'info', id: 'x\r\ny', event: 'e', outcome: `a\u001b[2J${'b'.repeat(10_000)}`, ms: 1.6 })) as { id: string; outcome: string; ms: number };
  assert.equal(line.id, 'x y');
  assert.equal(line.outcome.length, MAX_OUTCOME_CHARS);
  assert.ok(line.outcome.startsWith('a [2J'));
  assert.equal(line.ms, 2);
});

test('npm start\'s webhook endpoint logs a delivery it does not queue in one line; a forged one without its claimed repository', async (t) => {
  const queue = new InProcessQueue(async () => 'done', { log: () => {} });
  const server = createWebhookServer({ secret: 's', queue });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
  const send = (name: string, body: string, secret: string) =>
    fetch(url, { method: 'POST', body, headers: { 'x-github-event': name, 'x-github-delivery': `d-${name}`, 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` } });
  const body = JSON.stringify({ action: 'created', repository: { full_name: 'acme/mesh' }, zen: PAYLOAD_MARK });
  const lines = await captured(async () => {
    assert.equal((await send('star', body, 's')).status, 202);
    assert.equal((await send('push', body, 'forged')).status, 401);
  });
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.doesNotMatch(lines.join('\n'), new RegExp(PAYLOAD_MARK));
  const [ignored, forged] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual([ignored!['id'], ignored!['event'], ignored!['repository'], ignored!['level']], ['d-star', 'star.created', 'acme/mesh', 'info']);
  assert.match(String(ignored!['outcome']), /^202 ignored: event star is not one fsm-gitops acts on/);
  assert.deepEqual([forged!['id'], forged!['event'], forged!['repository'], forged!['outcome'], forged!['level']], ['d-push', 'push', undefined, '401 signature missing or wrong', 'warn']);
});
