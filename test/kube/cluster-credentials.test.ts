import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { captured } from '../support/captured-console.ts';
import { ClusterConnector, ClusterCredentialsError, ClusterLookupError } from '../../src/kube/credentials/cluster-credentials.ts';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://prod.example:6443", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: very-secret-token } }]
contexts: [{ name: ctx, context: { cluster: c, user: u } }]
current-context: ctx
`;
const ENV = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'session', AWS_REGION: 'eu-west-1' };
const saved: Record<string, string | undefined> = {};

before(() => {
  nock.disableNetConnect();
  for (const [key, value] of Object.entries(ENV)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
});
afterEach(() => nock.cleanAll());
after(() => {
  nock.enableNetConnect();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

test('a kubeconfig from SSM Parameter Store, decrypted, read once per process', async () => {
  const ssm = nock('https://ssm.eu-west-1.amazonaws.com')
    .post('/', (body: { Name: string; WithDecryption: boolean }) => body.Name === '/fsm-gitops/prod/kubeconfig' && body.WithDecryption)
    .matchHeader('x-amz-target', 'AmazonSSM.GetParameter')
    .once()
    .reply(200, { Parameter: { Name: '/fsm-gitops/prod/kubeconfig', Type: 'SecureString', Value: KUBECONFIG } });
  const connector = new ClusterConnector({ prod: { ssmParameter: '/fsm-gitops/prod/kubeconfig' } });
  assert.equal((await connector.client('prod')).server, 'https://prod.example:6443');
  assert.equal((await connector.client('prod')).server, 'https://prod.example:6443');
  assert.ok(ssm.isDone());
});

test('a kubeconfig from Secrets Manager', async () => {
  nock('https://secretsmanager.eu-west-1.amazonaws.com')
    .post('/')
    .matchHeader('x-amz-target', 'secretsmanager.GetSecretValue')
    .reply(200, { Name: 'prod', SecretString: KUBECONFIG });
  const connector = new ClusterConnector({ prod: { secretsManagerSecret: 'fsm-gitops/prod' } });
  assert.equal((await connector.client('prod')).server, 'https://prod.example:6443');
});

test('an EKS cluster: endpoint and CA from DescribeCluster, requests carry a fresh IAM token', async () => {
  nock('https://eks.eu-west-1.amazonaws.com')
    .get('/clusters/prod')
    .reply(200, { cluster: { name: 'prod', endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', certificateAuthority: { data: '' } } });
  const api = nock('https://abc.gr7.eu-west-1.eks.amazonaws.com')
    .matchHeader('authorization', /^Bearer k8s-aws-v1\.[A-Za-z0-9_-]+$/)
    .get('/api/v1/namespaces')
    .query(true)
    .reply(200, { kind: 'NamespaceList', apiVersion: 'v1', items: [] });
  const connector = new ClusterConnector({ prod: { eks: { cluster: 'prod', region: 'eu-west-1' } } });
  const client = await connector.client('prod');
  assert.deepEqual(await client.list('/api/v1/namespaces', 'list'), []);
  assert.ok(api.isDone());
});

test('errors name the cluster and never include the secret', async () => {
  const connector = new ClusterConnector({ prod: { ssmParameter: '/x' } });
  await assert.rejects(connector.client('staging'), (e: unknown) => e instanceof ClusterCredentialsError && !(e instanceof ClusterLookupError) && /no credentials for cluster "staging"/.test(e.message) && !/prod/.test(e.message));
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    assert.equal(connector.credentials(name), undefined, name);
    await assert.rejects(connector.client(name), (e: unknown) => e instanceof ClusterCredentialsError && !/prod/.test(e.message), name);
  }
  nock('https://ssm.eu-west-1.amazonaws.com').post('/').reply(400, { __type: 'ParameterNotFound', message: 'Parameter /x not found.' }, { 'x-amzn-errortype': 'ParameterNotFound' });
  await assert.rejects(connector.client('prod'), (e: unknown) => e instanceof ClusterLookupError && /cluster "prod": AWS answered ParameterNotFound/.test(e.message));
  // Not cached: the next try asks again and can succeed.
  nock('https://ssm.eu-west-1.amazonaws.com').post('/').reply(200, { Parameter: { Value: KUBECONFIG } });
  const client = await connector.client('prod');
  assert.deepEqual(JSON.parse(JSON.stringify(client)), { server: 'https://prod.example:6443' }, 'a logged client shows no credentials');
});

test("AWS's words (the app's account, role, the operator's parameter) go to the app's log; the error, which reaches pull requests, names their kind", async () => {
  const words = 'User: arn:aws:sts::123456789012:assumed-role/fsm-gitops-worker/session is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:eu-west-1:123456789012:parameter/fsm/prod';
  nock('https://ssm.eu-west-1.amazonaws.com').post('/').reply(400, { __type: 'AccessDeniedException', message: words }, { 'x-amzn-errortype': 'AccessDeniedException' });
  const connector = new ClusterConnector({ prod: { ssmParameter: '/fsm/prod' } });
  let failure: unknown;
  const lines = await captured(async () => {
    failure = await connector.client('prod').catch((error: unknown) => error);
  });
  assert.ok(failure instanceof ClusterLookupError);
  assert.equal(failure.message, 'cannot get credentials for cluster "prod": AWS answered AccessDeniedException (the app\'s log line "cluster credentials not had" has AWS\'s words)');
  const logged = lines.map((line) => JSON.parse(line) as Record<string, string>).find((line) => line['msg'] === 'cluster credentials not had');
  assert.deepEqual(logged, { level: 'warn', msg: 'cluster credentials not had', cluster: 'prod', error: `AccessDeniedException: ${words}` });
});

test('a malformed kubeconfig in the store is an error that does not quote it', async () => {
  nock('https://ssm.eu-west-1.amazonaws.com').post('/').reply(200, { Parameter: { Value: 'users:\n  - token: very-secret-token\n   bad: [' } });
  const connector = new ClusterConnector({ prod: { ssmParameter: '/x' } });
  await assert.rejects(connector.client('prod'), (e: unknown) => e instanceof ClusterCredentialsError && !/very-secret-token/.test(e.message) && /cluster "prod"/.test(e.message));
});

test('AWS that does not answer is an error within the lookup\'s time, SDK retries included; the next lookup tries again', async () => {
  const late = (host: string) => nock(host).persist().post('/').delay(1_500).reply(200, { Parameter: { Value: KUBECONFIG } });
  late('https://ssm.eu-west-1.amazonaws.com');
  const connector = new ClusterConnector({ prod: { ssmParameter: '/x' } }, { timeoutMs: 300 });
  await assert.rejects(connector.client('prod'), (e: unknown) => e instanceof ClusterCredentialsError && e.message === 'cannot get credentials for cluster "prod": AWS did not answer within 0.3 s');
  nock.cleanAll();
  nock('https://ssm.eu-west-1.amazonaws.com').post('/').reply(200, { Parameter: { Value: KUBECONFIG } });
  assert.equal((await connector.client('prod')).server, 'https://prod.example:6443');

  nock('https://eks.eu-west-1.amazonaws.com').persist().get('/clusters/prod').delay(1_500).reply(200, { cluster: { endpoint: 'https://x.example' } });
  const eks = new ClusterConnector({ prod: { eks: { cluster: 'prod', region: 'eu-west-1' } } }, { timeoutMs: 300 });
  await assert.rejects(eks.client('prod'), (e: unknown) => e instanceof ClusterCredentialsError && /AWS did not answer within 0\.3 s$/.test(e.message));
});

test('an attempt past its time is retried by the SDK, within the lookup\'s time', async () => {
  const ssm = nock('https://ssm.eu-west-1.amazonaws.com');
  ssm.post('/').delay(1_500).reply(200, { Parameter: { Value: 'never read' } });
  ssm.post('/').reply(200, { Parameter: { Value: KUBECONFIG } });
  const connector = new ClusterConnector({ prod: { ssmParameter: '/x' } }, { timeoutMs: 5_000, attemptMs: 200 });
  assert.equal((await connector.client('prod')).server, 'https://prod.example:6443');
  assert.ok(ssm.isDone(), 'two attempts');
});

test('the app\'s own AWS credentials count against the lookup\'s time (a credential_process that hangs)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-aws-'));
  const names = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'];
  const kept = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  try {
    // It writes `done` when it ends, answering nothing: the lookup must have given up before that.
    const done = join(dir, 'done');
    await writeFile(join(dir, 'config'), `[profile slow]\ncredential_process = ${process.execPath} -e "setTimeout(() => require('fs').writeFileSync('${done}', ''), 1500)"\n`);
    for (const name of names) delete process.env[name];
    Object.assign(process.env, { AWS_PROFILE: 'slow', AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') });
    const connector = new ClusterConnector({ prod: { ssmParameter: '/x' } }, { timeoutMs: 300 });
    await assert.rejects(connector.client('prod'), (e: unknown) => e instanceof ClusterCredentialsError && e.message === 'cannot get credentials for cluster "prod": AWS did not answer within 0.3 s');
    assert.equal(existsSync(done), false, 'given up while the credential process still ran');
  } finally {
    for (const [name, value] of Object.entries(kept)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await rm(dir, { recursive: true, force: true });
  }
});
