import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { CredentialSource, STATIC_CREDENTIALS_MS } from '../../src/kube/request-credentials.ts';
import { FakeKube } from '../support/fake-kube.ts';
import { FakeKubeServer } from '../support/fake-kube-server.ts';

// Which credentials are resolved for every request (exec plugins: fresh tokens) and which once (static ones).
const PATH = '/api/v1/namespaces/fsm-system/configmaps/x';
const fake = new FakeKube();
fake.seed(PATH, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'fsm-system' } });
let server: FakeKubeServer;
let dir: string;

before(async () => {
  server = await FakeKubeServer.start(fake);
  dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-credentials-'));
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** The fake server's kubeconfig with its user replaced by `user` (YAML flow mapping). */
const withUser = (user: string) => server.kubeconfig().replace('users: [{ name: u, user: { token: t } }]', `users: [{ name: u, user: ${user} }]`);
const read = (c: KubeClient) => c.request({ method: 'GET', path: PATH, what: 'read x' });

/** Counts client-node's resolutions of the kubeconfig's credentials. */
function counted(kubeconfig: string): { config: KubeConfig; calls: () => number } {
  const config = new KubeConfig();
  config.loadFromString(kubeconfig);
  let calls = 0;
  const apply = config.applyToHTTPSOptions.bind(config);
  config.applyToHTTPSOptions = (options) => {
    calls++;
    return apply(options);
  };
  return { config, calls: () => calls };
}

test('an exec plugin is run again for each request: every request carries the token it prints then', async () => {
  const counter = join(dir, 'exec-count');
  const script = `const fs=require('fs');let n=0;try{n=Number(fs.readFileSync(${JSON.stringify(counter)},'utf8'))}catch{}n++;fs.writeFileSync(${JSON.stringify(counter)},String(n));` +
    `console.log(JSON.stringify({apiVersion:'client.authentication.k8s.io/v1beta1',kind:'ExecCredential',status:{token:'exec-'+n}}))`;
  const user = `{ exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: ${JSON.stringify(process.execPath)}, args: ["-e", ${JSON.stringify(script)}] } }`;
  const c = KubeClient.fromString(withUser(user), undefined, { concurrency: 1 });
  server.authorizations.length = 0;
  for (let i = 0; i < 3; i++) await read(c);
  assert.deepEqual(server.authorizations, ['Bearer exec-1', 'Bearer exec-2', 'Bearer exec-3']);
  c.close();
});

test('static credentials are resolved once for many requests, by the client and its copies', async () => {
  const { config, calls } = counted(withUser('{ token: static-token, as: deployer }'));
  const c = new KubeClient(config, { concurrency: 4 });
  server.authorizations.length = 0;
  await Promise.all(Array.from({ length: 20 }, () => read(c)));
  await read(c.withDeadline(Date.now() + 10_000));
  assert.equal(calls(), 1);
  assert.deepEqual(new Set(server.authorizations), new Set(['Bearer static-token']));
  assert.equal(server.authorizations.length, 21);
  c.close();
});

test('static credentials are resolved again after a minute; a failed resolution is not kept', async () => {
  const { config, calls } = counted(withUser('{ token: t }'));
  let now = 1_000_000;
  const source = new CredentialSource(config, () => now);
  await source.current();
  await source.current();
  assert.equal(calls(), 1);
  now += STATIC_CREDENTIALS_MS - 1;
  await source.current();
  assert.equal(calls(), 1);
  now += 1;
  assert.equal((await source.current()).headers['authorization'], 'Bearer t');
  assert.equal(calls(), 2);
  // A client certificate file that cannot be read fails the request; the next one reads it again.
  const [cert, key] = [join(dir, 'late.crt'), join(dir, 'late.key')];
  const late = new CredentialSource(counted(withUser(`{ client-certificate: ${JSON.stringify(cert)}, client-key: ${JSON.stringify(key)} }`)).config, () => now);
  await assert.rejects(late.current(), /ENOENT/);
  await writeFile(cert, 'CERT');
  await writeFile(key, 'KEY');
  assert.equal(String((await late.current()).tls.cert), 'CERT');
});

test('a token source (EKS) is asked for every request even when the kubeconfig part is static', async () => {
  let issued = 0;
  const { config, calls } = counted(server.kubeconfig());
  const c = new KubeClient(config, { token: async () => `eks-${++issued}`, concurrency: 1 });
  server.authorizations.length = 0;
  for (let i = 0; i < 3; i++) await read(c);
  assert.deepEqual(server.authorizations, ['Bearer eks-1', 'Bearer eks-2', 'Bearer eks-3']);
  assert.equal(calls(), 1);
  c.close();
});
