import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import type { Octokit } from '../../src/github/octokit.ts';
import { boundRequestTime } from '../../src/github/request-timeout.ts';

before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

const client = (retries: number) => new ProbotOctokit({ auth: 'token t', retry: { enabled: retries > 0, retries, retryAfterBaseValue: 1 }, throttle: { enabled: false } }) as unknown as Octokit;

test('a try GitHub does not answer within the bound is aborted and fails like a 5xx, not after undici\'s 300 s', async () => {
  nock('https://api.github.com').get('/repos/acme/mesh').delay(5_000).reply(200, { name: 'mesh' });
  const started = Date.now();
  await assert.rejects(boundRequestTime(client(0), 200).rest.repos.get({ owner: 'acme', repo: 'mesh' }), (error: { status?: number }) => error.status === 500);
  assert.ok(Date.now() - started < 4_000, 'aborted at the bound');
});

test('each try has its own bound: a hung first try is retried, and the second answers', async () => {
  nock('https://api.github.com').get('/repos/acme/mesh').delay(5_000).reply(200, { name: 'hung' }).get('/repos/acme/mesh').reply(200, { name: 'mesh' });
  const { data } = await boundRequestTime(client(1), 300).rest.repos.get({ owner: 'acme', repo: 'mesh' });
  assert.equal(data.name, 'mesh');
});

test('an answer within the bound is untouched', async () => {
  nock('https://api.github.com').get('/repos/acme/mesh').delay(50).reply(200, { name: 'mesh' });
  const { data } = await boundRequestTime(client(0), 2_000).rest.repos.get({ owner: 'acme', repo: 'mesh' });
  assert.equal(data.name, 'mesh');
});
