import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import nock from 'nock';
import { clearSecretCache } from '../../src/aws/secrets.ts';
import { handler } from '../../src/lambda/webhook.ts';
import { fakeAws, LAMBDA_ENV, QUEUE_URL } from '../support/fake-aws.ts';
import { commentPayload, pullRequestPayload } from '../support/webhook-payloads.ts';
import { httpApiEvent } from './lambda-events.ts';

const SECRET = 'webhook-secret-from-ssm';
const saved = { ...process.env };

before(() => nock.disableNetConnect());
beforeEach(() => {
  clearSecretCache();
  Object.assign(process.env, LAMBDA_ENV, { WEBHOOK_SECRET: 'ssm:/fsm-gitops/prod/webhook-secret', QUEUE_URL });
});
afterEach(() => nock.cleanAll());
after(() => {
  nock.enableNetConnect();
  process.env = saved;
});

const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const body = JSON.stringify(pullRequestPayload('opened', { number: 7, headSha: 'a'.repeat(40) }));
const delivery = (id: string, signature = sign(body)) => ({ 'x-github-event': 'pull_request', 'x-github-delivery': id, 'x-hub-signature-256': signature });

test('a signed delivery is queued on the FIFO queue, grouped by repository, deduplicated by delivery id: 202', async () => {
  const aws = fakeAws({ '/fsm-gitops/prod/webhook-secret': SECRET });
  const result = await handler(httpApiEvent(body, delivery('d-1')));
  assert.equal(result.statusCode, 202);
  assert.equal(aws.queue.length, 1);
  const [message] = aws.queue;
  assert.equal(message!.MessageGroupId, 'repo-700100');
  assert.equal(message!.MessageDeduplicationId, 'd-1');
  const event = JSON.parse(message!.MessageBody);
  assert.deepEqual([event.type, event.action, event.delivery, event.installation, event.repository.fullName], ['pull_request', 'opened', 'd-1', 4242, 'acme/mesh-config']);
  assert.deepEqual([event.pullRequest.number, event.pullRequest.headSha], [7, 'a'.repeat(40)]);
});

test('the queue carries what the worker needs, not the payload: a 65 KB description and a 140-character repository name fit', async () => {
  const aws = fakeAws({ '/fsm-gitops/prod/webhook-secret': SECRET });
  const payload = pullRequestPayload('opened', { number: 7, headSha: 'a'.repeat(40) });
  payload['pull_request'].body = '"'.repeat(65_000);
  payload['repository'].full_name = `${'o'.repeat(39)}/${'r'.repeat(100)}`;
  const big = JSON.stringify(payload);
  assert.ok(Buffer.byteLength(big) > 128 * 1024, 'the escaped quotes alone are over 128 KiB');
  const result = await handler(httpApiEvent(big, { 'x-github-event': 'pull_request', 'x-github-delivery': 'd-big', 'x-hub-signature-256': sign(big) }));
  assert.equal(result.statusCode, 202);
  const [message] = aws.queue;
  assert.ok(Buffer.byteLength(message!.MessageBody) < 4096, `${Buffer.byteLength(message!.MessageBody)} bytes`);
  assert.ok(message!.MessageGroupId.length <= 128);
});

test('edited and deleted comments are answered 202 and never queued: only what was said when it was said is a command', async () => {
  const aws = fakeAws({ '/fsm-gitops/prod/webhook-secret': SECRET });
  for (const action of ['edited', 'deleted'] as const) {
    const edited = JSON.stringify(commentPayload({ number: 7, id: 1, body: '/fsm apply staging', user: 'alice', action }));
    const result = await handler(httpApiEvent(edited, { 'x-github-event': 'issue_comment', 'x-github-delivery': `d-${action}`, 'x-hub-signature-256': sign(edited) }));
    assert.equal(result.statusCode, 202);
    assert.match(String(result.body), /ignored: issue_comment\.\w+ is not a command/);
  }
  assert.deepEqual(aws.sends, []);
});

test('a forged signature is 401 and nothing is queued', async () => {
  const aws = fakeAws({ '/fsm-gitops/prod/webhook-secret': SECRET });
  assert.equal((await handler(httpApiEvent(body, delivery('d-2', sign(body, 'guessed'))))).statusCode, 401);
  const { 'x-hub-signature-256': _, ...unsigned } = delivery('d-3');
  assert.equal((await handler(httpApiEvent(body, unsigned))).statusCode, 401);
  const tampered = body.replace('"opened"', '"closed"');
  assert.equal((await handler(httpApiEvent(tampered, delivery('d-4')))).statusCode, 401);
  assert.deepEqual(aws.sends, []);
});

test('a body over the limit is 413 even when signed, and nothing is queued; an unsigned one is 401 before its size matters', async () => {
  const aws = fakeAws({ '/fsm-gitops/prod/webhook-secret': SECRET });
  const payload = pullRequestPayload('opened', { number: 7, headSha: 'a'.repeat(40) });
  payload['pull_request'].body = 'x'.repeat(1024 * 1024);
  const big = JSON.stringify(payload);
  const signed = await handler(httpApiEvent(big, { 'x-github-event': 'pull_request', 'x-github-delivery': 'd-huge', 'x-hub-signature-256': sign(big) }));
  assert.deepEqual([signed.statusCode, signed.body], [413, 'the body is over 1048576 bytes (WEBHOOK_MAX_BODY_BYTES)']);
  const unsigned = await handler(httpApiEvent(big, { 'x-github-event': 'pull_request', 'x-github-delivery': 'd-huge2' }, true));
  assert.equal(unsigned.statusCode, 401);
  process.env['WEBHOOK_MAX_BODY_BYTES'] = '4096';
  try {
    assert.equal((await handler(httpApiEvent(body, delivery('d-small'), true))).statusCode, 413, `${Buffer.byteLength(body)} bytes over 4096`);
  } finally {
    delete process.env['WEBHOOK_MAX_BODY_BYTES'];
  }
  assert.deepEqual(aws.sends, []);
});

test('a duplicate delivery is queued once', async () => {
  const aws = fakeAws({ '/fsm-gitops/prod/webhook-secret': SECRET });
  assert.equal((await handler(httpApiEvent(body, delivery('d-5')))).statusCode, 202);
  assert.equal((await handler(httpApiEvent(body, delivery('d-5')))).statusCode, 202);
  assert.equal(aws.sends.length, 2, 'both sent with the same deduplication id');
  assert.equal(aws.queue.length, 1);
});

test('the secret is read from SSM once per container; base64 bodies are verified as sent', async () => {
  const aws = fakeAws({ '/fsm-gitops/prod/webhook-secret': SECRET });
  await handler(httpApiEvent(body, delivery('d-6'), true));
  await handler(httpApiEvent(body, delivery('d-7')));
  assert.deepEqual(aws.parameterReads, ['/fsm-gitops/prod/webhook-secret']);
  assert.equal(aws.queue.length, 2);
});

test('events the app does not act on are answered 202 and not queued', async () => {
  const aws = fakeAws({ '/fsm-gitops/prod/webhook-secret': SECRET });
  const result = await handler(httpApiEvent(body, { ...delivery('d-8'), 'x-github-event': 'star' }));
  assert.equal(result.statusCode, 202);
  assert.deepEqual(aws.sends, []);
});

test('the webhook function loads neither the Kubernetes client nor the plan engine', async () => {
  const { readFile } = await import('node:fs/promises');
  const seen = new Set<string>();
  const walk = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(/^import [^'"]*['"](\.{1,2}\/[^'"]+)['"]/gm)) await walk(new URL(match[1]!, `file://${file}`).pathname);
    for (const match of text.matchAll(/^import [^'"]*['"]([^.'"][^'"]*)['"]/gm)) seen.add(`pkg:${match[1]}`);
  };
  await walk(new URL('../../src/lambda/webhook.ts', import.meta.url).pathname);
  const loaded = [...seen];
  assert.ok(!loaded.some((f) => f.includes('@kubernetes') || f.includes('/src/kube/') || f.includes('/src/plan/') || f.includes('probot')), loaded.join('\n'));
});
