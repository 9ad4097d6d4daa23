import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import type { APIGatewayProxyResultV2, EventBridgeEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import nock from 'nock';
import { buildLambda, lambdaFunctions, type LambdaBuild } from '../../scripts/build-lambda.ts';
import { exampleRepoFiles } from '../github/app-harness.ts';
import { writeKubeconfig } from '../support/cli.ts';
import { fakeAws, QUEUE_URL } from '../support/fake-aws.ts';
import { fakeGitHub } from '../support/fake-github.ts';
import { lazyImportsOf, OWN_LAZY } from '../support/lazy-imports.ts';
import { refusingSocksProxy } from '../support/socks-proxy.ts';
import { pullRequestPayload } from '../support/webhook-payloads.ts';
import { APP_ENV, httpApiEvent, queued, SCHEDULED, SETTINGS, sqsEvent } from './lambda-events.ts';

// Each function bundled as `osls package` bundles it (serverless.yml's esbuild options and plugins), its
// handler imported from the bundle and run against the fake GitHub and AWS. Each import gets its own copy
// of the bundle's module state (the settings read once per container).
const HEAD = 'b'.repeat(40);
const saved = { ...process.env };
let out: string;
const built = new Map<string, LambdaBuild>();
let imports = 0;
/** The functions nock's ClientRequest interception replaces in node:http and node:https (not http.ClientRequest: nock fakes fetch through it). */
const HTTP_MODULES = [http, https] as const;
const requestFunctions = (module: typeof http | typeof https) => ({ request: module.request, get: module.get });

before(async () => {
  out = await mkdtemp(join(tmpdir(), 'fsm-gitops-lambda-bundles-'));
  // No source maps: they do not change the code.
  for (const name of lambdaFunctions()) built.set(name, await buildLambda(name, join(out, name), { sourcemap: false }));
  // nock fakes GitHub and AWS, which the functions call with fetch. The requests to clusters (https.request) go to
  // the network: under nock's interception an agent-base agent, such as socks-proxy-agent's, fails ("No socket was
  // returned in the `connect()` function": nock's passthrough asks the agent for a socket synchronously). Not put
  // back after the tests: a failed review's other reads may still be retrying (the process ends with this file).
  nock.restore();
  const real = HTTP_MODULES.map(requestFunctions);
  nock.activate();
  HTTP_MODULES.forEach((module, i) => Object.assign(module, real[i]));
  nock.disableNetConnect();
});
beforeEach(() => Object.assign(process.env, APP_ENV, { QUEUE_URL }));
afterEach(() => nock.cleanAll());
after(async () => {
  nock.enableNetConnect();
  process.env = saved;
  await rm(out, { recursive: true, force: true });
});

/** A fresh instance of function `name`'s bundle (a container's cold start). */
async function coldStart<Handler>(name: string): Promise<Handler> {
  const { bundle } = built.get(name)!;
  const module = (await import(`${pathToFileURL(bundle).href}?container=${++imports}`)) as { handler: Handler };
  return module.handler;
}

type Webhook = (event: ReturnType<typeof httpApiEvent>) => Promise<APIGatewayProxyResultV2 & { statusCode?: number }>;
type Worker = (event: SQSEvent) => Promise<SQSBatchResponse>;
type Drift = (event: EventBridgeEvent<'Scheduled Event', unknown>) => Promise<{ checked: number; failed: number }>;

test('serverless.yml declares the three functions this file runs', () => {
  assert.deepEqual(lambdaFunctions(), ['webhook', 'worker', 'drift']);
});

test('the webhook bundle queues a signed delivery', async () => {
  const aws = fakeAws({ '/fsm-gitops/prod/webhook-secret': 'secret' });
  const body = JSON.stringify(pullRequestPayload('opened', { number: 7, headSha: HEAD }));
  const signature = `sha256=${createHmac('sha256', 'secret').update(body).digest('hex')}`;
  const webhook = await coldStart<Webhook>('webhook');
  const result = await webhook(httpApiEvent(body, { 'x-github-event': 'pull_request', 'x-github-delivery': 'd-1', 'x-hub-signature-256': signature }));
  assert.equal(result.statusCode, 202);
  assert.deepEqual(aws.queue.map((message) => message.MessageDeduplicationId), ['d-1']);
});

test('the worker bundle reviews a pull request: check run and comment', async () => {
  fakeAws(SETTINGS);
  const github = fakeGitHub({ files: exampleRepoFiles(), changed: ['clusters/staging/meshconfig.yaml'], headSha: HEAD, prNumber: 7 });
  const worker = await coldStart<Worker>('worker');
  const result = await worker(sqsEvent(queued(pullRequestPayload('opened', { number: 7, headSha: HEAD }))));
  assert.deepEqual(result.batchItemFailures, []);
  assert.deepEqual(github.checkRuns.map((run) => [run.name, run.conclusion]), [['fsm-gitops/staging', 'success']]);
  assert.equal(github.comments.length, 1);
});

test('the drift bundle opens an fsm-drift issue', async () => {
  fakeAws(SETTINGS);
  const github = fakeGitHub({ files: exampleRepoFiles(), changed: [], headSha: HEAD, prNumber: 7 });
  const drift = await coldStart<Drift>('drift');
  assert.deepEqual(await drift(SCHEDULED), { checked: 1, failed: 0 });
  assert.deepEqual(github.issues.map((issue) => issue.title), ['Drift: staging differs from main']);
});

test('the worker and drift bundles load client-node\'s node-fetch, socks-proxy-agent and jsonpath-plus, and fsm-gitops\'s yaml and ajv, at first use, and none of client-node\'s generated models', () => {
  for (const name of ['worker', 'drift']) {
    const { metafile } = built.get(name)!;
    assert.deepEqual(lazyImportsOf(metafile), { eager: [], unused: [] }, name);
    assert.deepEqual(lazyImportsOf(metafile, OWN_LAZY), { eager: [], unused: [] }, name);
    const inputs = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
    assert.ok(inputs.some((input) => input.includes('@kubernetes/client-node/dist/config.js')), name);
    assert.deepEqual(inputs.filter((input) => input.includes('@kubernetes/client-node/dist/gen/models/')), [], name);
  }
});

test('from the worker bundle, a cluster kubeconfig\'s socks5 proxy-url still goes through the proxy (socks-proxy-agent, loaded at first use)', async (t) => {
  const { url, greetings } = await refusingSocksProxy(t);
  const kubeconfig = await writeKubeconfig(t, { server: 'https://192.0.2.1:6443', cluster: 'staging', context: 'staging', insecure: true, proxyUrl: url });
  fakeAws({ ...SETTINGS, '/fsm-gitops/prod/clusters': JSON.stringify({ clusters: { staging: { kubeconfigFile: kubeconfig } } }) });
  const github = fakeGitHub({ files: exampleRepoFiles(), changed: ['clusters/staging/meshconfig.yaml'], headSha: HEAD, prNumber: 7 });
  const worker = await coldStart<Worker>('worker');
  await worker(sqsEvent(queued(pullRequestPayload('opened', { number: 7, headSha: HEAD }))));
  assert.ok(greetings.length > 0 && greetings.every((version) => version === 0x05), `the proxy saw ${JSON.stringify(greetings)}`);
  assert.deepEqual(github.checkRuns.map((run) => [run.name, run.conclusion]), [['fsm-gitops/staging', 'failure']]);
});
