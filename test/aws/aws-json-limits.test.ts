/**
 * awsJsonCall's bounds (src/aws/aws-json.ts): an AWS endpoint that does not answer, or answers too much,
 * costs the webhook function a clear error within its time, not its whole timeout or its memory.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { AwsCallError, awsJsonCall } from '../../src/aws/aws-json.ts';
import { clearSecretCache, readSecret } from '../../src/aws/secrets.ts';
import { LAMBDA_ENV, REGION } from '../support/fake-aws.ts';

const SQS = `https://sqs.${REGION}.amazonaws.com`;
const call = (limits: { timeoutMs?: number; maxBytes?: number }) => awsJsonCall<{ MessageId?: string }>('sqs', 'AmazonSQS.SendMessage', { QueueUrl: 'q' }, LAMBDA_ENV, limits);
const failure = (type: string, message: RegExp) => (error: unknown) => error instanceof AwsCallError && error.type === type && message.test(error.message);

before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

test('an answer that does not come within the time is a Timeout naming the call and the host', async () => {
  nock(SQS).post('/').delay(1_500).reply(200, { MessageId: 'late' });
  await assert.rejects(call({ timeoutMs: 200 }), failure('Timeout', /^AmazonSQS\.SendMessage: no answer from sqs\.eu-west-1\.amazonaws\.com within 0\.2 s$/));
});

test('a body that stops half-way counts against the same time', async () => {
  const stalled = new Readable({ read() {} });
  stalled.push('{"MessageId":');
  nock(SQS).post('/').reply(200, () => stalled);
  await assert.rejects(call({ timeoutMs: 300 }), failure('Timeout', /within 0\.3 s$/));
  stalled.destroy();
});

test('an answer larger than the limit is refused, by its Content-Length or as it arrives', async () => {
  const big = JSON.stringify({ MessageId: 'x'.repeat(4096) });
  nock(SQS).post('/').reply(200, big, { 'content-length': String(big.length) });
  await assert.rejects(call({ maxBytes: 1024 }), failure('AnswerTooLarge', /^AmazonSQS\.SendMessage: the answer is larger than 1024 bytes$/));

  nock(SQS).post('/').reply(200, () => Readable.from([big.slice(0, 800), big.slice(800)]));
  await assert.rejects(call({ maxBytes: 1024 }), failure('AnswerTooLarge', /larger than 1024 bytes/));
});

test('within the limits, the answer is read as before', async () => {
  nock(SQS).post('/').delay(50).reply(200, () => Readable.from(['{"MessageId":', '"m-1"}']));
  assert.deepEqual(await call({ timeoutMs: 5_000, maxBytes: 1024 }), { MessageId: 'm-1' });
});

test('readSecret passes its limits on (the worker waits longer than the webhook), and a late answer is not kept', async () => {
  clearSecretCache();
  nock(`https://ssm.${REGION}.amazonaws.com`).post('/').delay(600).reply(200, { Parameter: { Value: 'v1' } });
  await assert.rejects(readSecret('ssm:/app/id', LAMBDA_ENV, { timeoutMs: 200 }), failure('Timeout', /^AmazonSSM\.GetParameter: no answer/));
  nock(`https://ssm.${REGION}.amazonaws.com`).post('/').delay(600).reply(200, { Parameter: { Value: 'v2' } });
  assert.equal(await readSecret('ssm:/app/id', LAMBDA_ENV, { timeoutMs: 5_000 }), 'v2');
  clearSecretCache();
});
