import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect } from '../../src/kube/credentials/cluster-credentials.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { cli } from '../support/cli.ts';

/** A PEM certificate's base64, as `certificate-authority-data` holds it (its content does not matter here). */
const CA_DATA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

/** A kubeconfig file in a temp folder (removed after the test): context "kind-staging" for cluster "staging" at `server`. */
async function kubeconfigFile(t: { after(fn: () => Promise<void>): void }, server: string, clusterSettings: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-plain-http-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'config');
  await writeFile(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: staging, cluster: { server: "${server}"${clusterSettings} } }]`,
      'users: [{ name: me, user: { token: a-token } }]',
      'contexts: [{ name: kind-staging, context: { cluster: staging, user: me } }]',
      'current-context: kind-staging',
    ].join('\n'),
  );
  return path;
}

const REFUSAL = /^context "kind-staging" uses cluster "staging" at http:\/\/127\.0\.0\.1:8080, plain HTTP, which would send its credentials unencrypted, and the cluster entry does not allow that \(no insecure-skip-tls-verify: true(; its certificate-authority only applies to https:\/\/)?\)\. Give the server's https:\/\/ URL in cluster "staging", or, for a server that only speaks HTTP \(a local test server\), set insecure-skip-tls-verify: true there$/;

test('an http:// server without insecure-skip-tls-verify is refused when the client is made, naming the context, the cluster entry, the server and the fix', async (t) => {
  const withCa = await kubeconfigFile(t, 'http://127.0.0.1:8080', `, certificate-authority-data: ${CA_DATA}`);
  assert.throws(() => KubeClient.fromFile(withCa), (error: Error) => REFUSAL.test(error.message) && error.message.includes('certificate-authority only applies to https://'));
  const bare = await kubeconfigFile(t, 'http://127.0.0.1:8080', '');
  assert.throws(() => KubeClient.fromFile(bare), (error: Error) => REFUSAL.test(error.message) && !error.message.includes('certificate-authority'));
  const verifyOn = await kubeconfigFile(t, 'http://127.0.0.1:8080', ', insecure-skip-tls-verify: false');
  assert.throws(() => KubeClient.fromFile(verifyOn, 'kind-staging'), (error: Error) => REFUSAL.test(error.message));
});

test('the refusal shows the server without its user information', async (t) => {
  const path = await kubeconfigFile(t, 'http://admin:s3cret-pass@127.0.0.1:8080', '');
  assert.throws(() => KubeClient.fromFile(path), (error: Error) => error.message.includes('at http://127.0.0.1:8080,') && !error.message.includes('s3cret'));
});

test('plain HTTP that the cluster entry allows (insecure-skip-tls-verify: true), an https:// server, and a proxied http:// server are accepted', async (t) => {
  assert.equal(KubeClient.fromFile(await kubeconfigFile(t, 'http://127.0.0.1:8080', ', insecure-skip-tls-verify: true')).server, 'http://127.0.0.1:8080');
  assert.equal(KubeClient.fromFile(await kubeconfigFile(t, 'https://127.0.0.1:6443', `, certificate-authority-data: ${CA_DATA}`)).server, 'https://127.0.0.1:6443');
  assert.equal(KubeClient.fromFile(await kubeconfigFile(t, 'http://127.0.0.1:8080', ', proxy-url: "http://127.0.0.1:3128"')).server, 'http://127.0.0.1:8080');
});

test('fsm-gitops plan: exit 3 with the refusal after the kubeconfig\'s path, no "bug" message, and nothing sent to the server', async (t) => {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    response.writeHead(403).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const path = await kubeconfigFile(t, url, `, certificate-authority-data: ${CA_DATA}`);
  const { code, stdout, stderr } = await cli(['plan', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', path]);
  assert.equal(code, 3, stderr);
  assert.equal(stdout, '');
  assert.ok(stderr.startsWith(`fsm-gitops: cannot use kubeconfig ${path}: context "kind-staging" uses cluster "staging" at ${url}, plain HTTP`), stderr);
  assert.match(stderr, /Give the server's https:\/\/ URL in cluster "staging", or, .* set insecure-skip-tls-verify: true there\n$/);
  assert.doesNotMatch(stderr, /bug|skipTLSVerify/);
  assert.deepEqual(seen, []);
});

test('the app: a cluster setting whose kubeconfig is such is a credentials error naming the cluster and the fix', async (t) => {
  const path = await kubeconfigFile(t, 'http://127.0.0.1:8080', '');
  await assert.rejects(connect('staging', { kubeconfigFile: path }), (error: Error) => error.name === 'ClusterLookupError' && /^cannot get credentials for cluster "staging": Error: context "kind-staging" uses cluster "staging" at http:\/\/127\.0\.0\.1:8080, plain HTTP.*insecure-skip-tls-verify: true there$/.test(error.message));
});
