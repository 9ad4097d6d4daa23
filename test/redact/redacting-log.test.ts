import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Probot } from 'probot';
import { createAppLog } from '../../src/github/app-log.ts';
import { DeliveryFailedError } from '../../src/github/app.ts';
import { logDelivery, MAX_OUTCOME_CHARS } from '../../src/queue/delivery-log.ts';
import { MASK } from '../../src/redact/mask.ts';
import { redactLogLine, rememberLogSecrets } from '../../src/redact/redacting-log.ts';
import { captured } from '../support/captured-console.ts';
import { CREDENTIAL_SHAPES } from '../support/credential-shapes.ts';
import { pullRequestPayload } from '../support/webhook-payloads.ts';

const PAYLOAD_MARK = 'PAYLOAD-BODY-NEVER-LOGGED';

function assertRedacted(lines: string[], secret: string, where: string): void {
  const text = lines.join('\n');
  assert.ok(lines.length > 0, `${where}: nothing logged`);
  assert.ok(!text.includes(secret), `${where}: the secret is printed:\n${text}`);
  assert.ok(text.includes(MASK), `${where}: no mask shown:\n${text}`);
}

for (const { shape, value, secret } of CREDENTIAL_SHAPES) {
  test(`a ${shape} in a delivery's outcome is masked in its log line, also where the line is cut`, async () => {
    const lines = await captured(() => {
      logDelivery({ level: 'error', id: 'd-1', event: 'pull_request.opened', outcome: `failed: cannot reach ${value}`, ms: 1 });
      logDelivery({ level: 'error', id: 'd-2', event: 'pull_request.opened', outcome: `${'x'.repeat(MAX_OUTCOME_CHARS - 12)} ${value}`, ms: 1 });
    });
    assertRedacted(lines.slice(0, 1), secret, shape);
    assert.ok(!lines[1]!.includes(secret.slice(0, 8)), `${shape}: a cut credential is printed in part:\n${lines[1]}`);
  });

  test(`a ${shape} in probot's log lines (message, error, request headers) is masked`, async () => {
    const log = createAppLog('debug');
    const lines = await captured(() => {
      log.info(`connecting to ${value}`);
      log.error(new Error(`request failed: ${value}`), 'GitHub request failed');
      log.warn({ request: { headers: { authorization: value, 'x-api-key': value } }, note: value }, 'retrying');
      log.child({ name: 'probot' }).error({ err: Object.assign(new Error('Unauthorized'), { response: { data: value } }) }, 'x');
    });
    assertRedacted(lines, secret, shape);
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
  });
}

test("probot never logs a delivery's payload: not when it receives it (debug), not when a handler fails", async () => {
  const probot = new Probot({ githubToken: 'ghs_unused', log: createAppLog('debug') });
  probot.on('pull_request', () => {
    throw Object.assign(new Error('Bad credentials'), { request: { headers: { authorization: 'token ghs_x' } } });
  });
  const payload = pullRequestPayload('opened', { number: 7, headSha: 'a'.repeat(40) });
  payload['pull_request'].body = PAYLOAD_MARK;
  const lines = await captured(async () => {
    await probot.receive({ id: 'd-1', name: 'pull_request', payload } as Parameters<Probot['receive']>[0]).catch(() => {});
    await probot.receive({ id: 'd-2', name: 'pull_request', payload } as Parameters<Probot['receive']>[0]).catch(() => {});
  });
  assert.ok(lines.length >= 2, lines.join('\n'));
  assert.doesNotMatch(lines.join('\n'), new RegExp(`${PAYLOAD_MARK}|ghs_x|"stack"`));
  const failed = lines.map((line) => JSON.parse(line) as { level: string; err?: { type: string; message: string } }).find((line) => line.level === 'error');
  assert.deepEqual(failed?.err, { type: 'Error', message: 'Bad credentials' });
  assert.ok(lines.some((line) => line.includes('Webhook received')), 'the receipt is logged, without the event');
});

test("a failed handler's DeliveryFailedError carries no payload either", async () => {
  const lines = await captured(() => createAppLog().error(Object.assign(new DeliveryFailedError('boom'), { extra: PAYLOAD_MARK })));
  assert.doesNotMatch(lines.join('\n'), new RegExp(PAYLOAD_MARK));
});

test("the process's own secrets are masked in every line, whatever their shape; JSON lines stay JSON", () => {
  rememberLogSecrets(['plain-webhook-secret-1234', undefined, '']);
  assert.equal(redactLogLine('fsm-gitops: the secret plain-webhook-secret-1234 leaked').text, `fsm-gitops: the secret ${MASK} leaked`);
  const json = redactLogLine(JSON.stringify({ level: 'warn', msg: 'x', detail: 'plain-webhook-secret-1234', token: 'abc', password: 12345 }));
  assert.deepEqual(JSON.parse(json.text), { level: 'warn', msg: 'x', detail: MASK, token: MASK, password: MASK });
  assert.equal(json.level, 'warn');
});

test('direction controls in a log line are written as escapes: a JSON line still parses to the same value', () => {
  const outcome = 'refused: \u202eevil\u2066 text';
  const json = redactLogLine(JSON.stringify({ level: 'error', msg: 'delivery failed', outcome }));
  assert.doesNotMatch(json.text, /[\u202e\u2066]/);
  assert.match(json.text, /refused: \\u202eevil\\u2066 text/);
  assert.equal(JSON.parse(json.text).outcome, outcome);
  assert.equal(redactLogLine(`fsm-gitops: ${outcome}`).text, 'fsm-gitops: refused: \\u202eevil\\u2066 text');
});
