import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { Probot } from 'probot';
import { AppOctokit, MAX_RATE_LIMIT_WAIT_S, RATE_LIMIT_RETRIES, waitsOutRateLimit } from '../../src/github/app-octokit.ts';
import type { Octokit } from '../../src/github/octokit.ts';
import { isRateLimited, retryDelayMs } from '../../src/github/retry-delay.ts';

// The client as production builds it (Probot with AppOctokit, the throttling plugin on), against nock; a
// Retry-After "second" lasts 1 ms here (the plugin's retryAfterBaseValue), so the waits cost nothing.
const API = 'https://api.github.com';
const SECONDARY = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' };
const warnings: string[] = [];

async function client(): Promise<Octokit> {
  const probot = new Probot({
    githubToken: 'test-token',
    Octokit: AppOctokit.defaults((options: Record<string, unknown>) => ({ ...options, throttle: { ...(options['throttle'] as object), retryAfterBaseValue: 1 }, retry: { enabled: false } })),
    logLevel: 'warn',
  });
  const octokit = (await probot.auth()) as Octokit;
  octokit.log.warn = (message: string) => void warnings.push(message);
  return octokit;
}

before(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  warnings.length = 0;
});
after(() => nock.enableNetConnect());

test('a rate-limited request is sent again only for a short wait, and at most twice', () => {
  assert.equal(waitsOutRateLimit(1, 0), true);
  assert.equal(waitsOutRateLimit(MAX_RATE_LIMIT_WAIT_S, RATE_LIMIT_RETRIES - 1), true);
  assert.equal(waitsOutRateLimit(MAX_RATE_LIMIT_WAIT_S + 1, 0), false, 'a primary limit resetting in minutes is not waited for');
  assert.equal(waitsOutRateLimit(1, RATE_LIMIT_RETRIES), false);
});

test('a GraphQL read under a secondary rate limit is sent again after Retry-After, within the same try', async () => {
  const graphql = nock(API)
    .post('/graphql').reply(403, SECONDARY, { 'retry-after': '2' })
    .post('/graphql').reply(200, { data: { viewer: { login: 'fsm-gitops[bot]' } } });
  const octokit = await client();
  const result = await octokit.graphql<{ viewer: { login: string } }>('{ viewer { login } }');
  assert.equal(result.viewer.login, 'fsm-gitops[bot]');
  assert.ok(graphql.isDone());
  assert.match(warnings.join('\n'), /secondary rate limit on POST \/graphql: sending it again in 2 s at the earliest/);
});

test('a REST write under a secondary rate limit is sent again; a third limit in a row fails the request', async () => {
  const path = '/repos/acme/mesh-config/issues/comments/1';
  nock(API).patch(path).times(RATE_LIMIT_RETRIES + 1).reply(403, SECONDARY, { 'retry-after': '1' });
  const octokit = await client();
  await assert.rejects(octokit.rest.issues.updateComment({ owner: 'acme', repo: 'mesh-config', comment_id: 1, body: 'x' }), /secondary rate limit/);
  assert.ok(nock.isDone(), 'three tries');
  assert.equal(warnings.length, RATE_LIMIT_RETRIES + 1);
});

test('a primary rate limit that resets in an hour fails at once rather than holding the worker', async () => {
  const reset = Math.floor(Date.now() / 1000) + 3600;
  const limited = nock(API).get('/repos/acme/mesh-config').reply(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) });
  const octokit = await client();
  const started = Date.now();
  await assert.rejects(octokit.rest.repos.get({ owner: 'acme', repo: 'mesh-config' }), /rate limit/);
  assert.ok(limited.isDone());
  assert.ok(Date.now() - started < 3000);
  assert.match(warnings.join('\n'), /primary rate limit on GET \/repos\/{owner}\/{repo}: not waiting 36\d\d s/);
});

test('a create sent with retries: 0 (create-once.ts\'s) is not sent again by the throttle: GitHub may have made it; its caller looks first', async () => {
  const created = nock(API).post('/repos/acme/mesh-config/issues/7/comments').reply(403, SECONDARY, { 'retry-after': '1' });
  const octokit = await client();
  await assert.rejects(octokit.rest.issues.createComment({ owner: 'acme', repo: 'mesh-config', issue_number: 7, body: 'x', request: { retries: 0 } }), /secondary rate limit/);
  assert.ok(created.isDone());
  assert.equal(nock.pendingMocks().length, 0);
  assert.match(warnings.join('\n'), /left to its caller \(it may have been carried out\)/);
});

test('retryDelayMs: Retry-After or the reset within a minute is waited for; a longer one is final; a 403 without either is a refusal', () => {
  const limited = (headers: Record<string, string>, status = 403) => ({ status, response: { headers } });
  const now = Date.parse('2026-12-03T11:00:00Z');
  assert.equal(retryDelayMs(limited({ 'retry-after': '2' }), 1, now), 2000);
  assert.equal(retryDelayMs(limited({ 'retry-after': '120' }), 1, now), undefined);
  assert.equal(retryDelayMs(limited({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 20) }), 1, now), 21_000);
  assert.equal(retryDelayMs(limited({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 3600) }), 1, now), undefined);
  assert.equal(retryDelayMs(limited({}), 1, now), undefined, 'a permission refusal');
  assert.equal(isRateLimited(limited({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 3600) })), true, 'still a rate limit, for callers telling it from a refusal');
  assert.equal(retryDelayMs(limited({}, 502), 2, now), 2000);
});
