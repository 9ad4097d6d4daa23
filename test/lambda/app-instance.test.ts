import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { clearSecretCache } from '../../src/aws/secrets.ts';
import { appInstance, githubApiUrl, resetAppInstance } from '../../src/lambda/app-instance.ts';
import { fakeAws } from '../support/fake-aws.ts';
import { APP_ENV, SETTINGS } from './lambda-events.ts';

before(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  clearSecretCache();
  resetAppInstance();
});
after(() => nock.enableNetConnect());

test('the functions call api.github.com, or GitHub Enterprise Server at GHE_HOST as npm start (probot) does', () => {
  assert.equal(githubApiUrl({}), 'https://api.github.com');
  assert.equal(githubApiUrl({ GHE_HOST: 'github.example.com' }), 'https://github.example.com/api/v3');
  assert.equal(githubApiUrl({ GHE_HOST: 'ghe.internal:8443', GHE_PROTOCOL: 'http' }), 'http://ghe.internal:8443/api/v3');
  assert.throws(() => githubApiUrl({ GHE_HOST: 'https://github.example.com/' }), /GHE_HOST is "https:\/\/github\.example\.com\/": set it to the server's host name/);
  assert.throws(() => githubApiUrl({ GHE_HOST: 'github.example.com', GHE_PROTOCOL: 'ftp' }), /GHE_PROTOCOL is "ftp"/);
});

test("the Lambda app's GitHub clients use GHE_HOST's API", async () => {
  fakeAws(SETTINGS);
  const { probot } = await appInstance({ ...APP_ENV, GHE_HOST: 'github.example.com' });
  const octokit = await probot.auth();
  assert.equal(octokit.request.endpoint.DEFAULTS.baseUrl, 'https://github.example.com/api/v3');
});
