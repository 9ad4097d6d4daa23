import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { guardedClient } from '../../src/github/handle-event.ts';
import { MissingPermissionError } from '../../src/github/missing-permission.ts';
import type { Octokit } from '../../src/github/octokit.ts';
import { retryCannotHelp } from '../../src/github/retry-cannot-help.ts';

before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

/** The client as handlers get it (guardedClient), with probot's retries on, as the app runs. */
const octokit = (): Octokit => guardedClient(new ProbotOctokit({ auth: { token: 't' }, throttle: { enabled: false } }) as Octokit);
const NOT_ACCESSIBLE = { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/deployments/deployments#create-a-deployment', status: '403' };
const createDeployment = (client: Octokit) => client.rest.repos.createDeployment({ owner: 'acme', repo: 'mesh', ref: 'main', environment: 'staging' });

test("GitHub's 403 for a permission the installation lacks names the request and the permission GitHub says it needs; a retry could not help, so none is made", async () => {
  const scope = nock('https://api.github.com').post('/repos/acme/mesh/deployments').once().reply(403, NOT_ACCESSIBLE, { 'x-accepted-github-permissions': 'deployments=write' });
  const error: unknown = await createDeployment(octokit()).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof MissingPermissionError, String(error));
  assert.equal(error.status, 403, 'callers test the status');
  assert.equal(
    error.message,
    'GitHub refused POST /repos/{owner}/{repo}/deployments (403 Resource not accessible by integration): the app\'s installation lacks the permission "deployments=write". app.yml asks for it; an installation made before it was added must accept the new permissions in its settings (Settings → GitHub Apps → Configure)',
  );
  assert.ok(retryCannotHelp(error), 'a command or a merge deploy answers it at once');
  assert.ok(scope.isDone());
});

test('without GitHub naming it, the permission is the one app.yml asks for that route', async () => {
  nock('https://api.github.com').post('/repos/acme/mesh/check-runs').reply(403, NOT_ACCESSIBLE);
  const error: unknown = await octokit()
    .rest.checks.create({ owner: 'acme', repo: 'mesh', name: 'fsm-gitops/staging', head_sha: 'a'.repeat(40) })
    .then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof MissingPermissionError);
  assert.match(error.message, /^GitHub refused POST \/repos\/\{owner\}\/\{repo\}\/check-runs \(403 [^)]*\): the app's installation lacks the permission "checks: write"\./);
});

test('a 403 of a rate limit, and other refusals, pass as GitHub gave them', async () => {
  nock('https://api.github.com')
    .post('/repos/acme/mesh/deployments')
    .reply(403, { message: 'API rate limit exceeded for installation ID 1.' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 7200) })
    .post('/repos/acme/mesh/deployments')
    .reply(403, { message: 'Resource protected by organization SAML enforcement.' })
    .post('/repos/acme/mesh/deployments')
    .reply(422, { message: 'Validation Failed' });
  const client = guardedClient(new ProbotOctokit({ auth: { token: 't' }, retry: { enabled: false }, throttle: { enabled: false } }) as Octokit);
  for (const expected of [/API rate limit exceeded/, /SAML enforcement/, /Validation Failed/]) {
    const error: unknown = await createDeployment(client).then(() => undefined, (e: unknown) => e);
    assert.ok(!(error instanceof MissingPermissionError), String(error));
    assert.match((error as Error).message, expected);
    assert.ok(!retryCannotHelp(error));
  }
});

test('a GraphQL query refused for a permission (FORBIDDEN in a 200, which @octokit/graphql throws after the request hooks) is named too; other GraphQL errors pass', async () => {
  nock('https://api.github.com')
    .post('/graphql')
    .reply(200, { data: { repository: null }, errors: [{ type: 'FORBIDDEN', path: ['repository', 'object'], message: 'Resource not accessible by integration' }] })
    .post('/graphql')
    .reply(200, { data: { repository: null }, errors: [{ type: 'NOT_FOUND', path: ['repository'], message: "Could not resolve to a Repository with the name 'acme/gone'." }] });
  const client = octokit();
  const query = 'query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { id } }';
  const forbidden: unknown = await client.graphql(query, { owner: 'acme', name: 'mesh' }).then(() => undefined, (e: unknown) => e);
  assert.ok(forbidden instanceof MissingPermissionError, String(forbidden));
  assert.match(forbidden.message, /^GitHub refused the GraphQL query at repository\.object \(FORBIDDEN Resource not accessible by integration\): the app's installation lacks the permission "contents: read"\./);
  assert.ok(retryCannotHelp(forbidden));
  const missing: unknown = await client.graphql(query, { owner: 'acme', name: 'gone' }).then(() => undefined, (e: unknown) => e);
  assert.ok(!(missing instanceof MissingPermissionError));
  assert.match((missing as Error).message, /Could not resolve to a Repository/);
});

test('without GitHub naming it, a route is read by its resource: a pull request\'s commits need pull_requests, a commit\'s pull requests contents', async () => {
  nock('https://api.github.com').get('/repos/acme/mesh/pulls/7/commits').query(true).reply(403, NOT_ACCESSIBLE).get(`/repos/acme/mesh/commits/${'a'.repeat(40)}/pulls`).query(true).reply(403, NOT_ACCESSIBLE);
  const client = octokit();
  const ofPull: unknown = await client.rest.pulls.listCommits({ owner: 'acme', repo: 'mesh', pull_number: 7 }).then(() => undefined, (e: unknown) => e);
  assert.match((ofPull as Error).message, /lacks the permission "pull_requests: write"/);
  const ofCommit: unknown = await client.rest.repos.listPullRequestsAssociatedWithCommit({ owner: 'acme', repo: 'mesh', commit_sha: 'a'.repeat(40) }).then(() => undefined, (e: unknown) => e);
  assert.match((ofCommit as Error).message, /lacks the permission "contents: read"/);
});
