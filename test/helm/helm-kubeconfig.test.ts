import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { helmKubeconfig } from '../../src/helm/helm-kubeconfig.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQ\n-----END EC PRIVATE KEY-----\n';
const b64 = (text: string): string => Buffer.from(text).toString('base64');

function kubeconfig(user: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority-data: ${b64(CA)}
users:
- name: u
  user:
${user}
contexts:
- name: ctx
  context: {cluster: c, user: u}
current-context: ctx
`;
}

test('a token user: the server, the CA as PEM and the token', async () => {
  const connection = await KubeClient.fromString(kubeconfig('    token: static-token-1234')).connection();
  assert.deepEqual(connection, { server: 'https://10.0.0.1:6443', certificateAuthority: CA, insecureSkipTlsVerify: false, token: 'static-token-1234' });
});

test('a client-certificate user: certificate and key as PEM, no token', async () => {
  const connection = await KubeClient.fromString(kubeconfig(`    client-certificate-data: ${b64(CERT)}\n    client-key-data: ${b64(KEY)}`)).connection();
  assert.deepEqual(connection.clientCertificate, { certificate: CERT, key: KEY });
  assert.equal(connection.token, undefined);
});

test('a token source (EKS) gives the token, fetched now', async () => {
  let calls = 0;
  const client = KubeClient.fromServer('https://eks.example', b64(CA), { token: async () => `eks-token-${++calls}` });
  assert.equal((await client.connection()).token, 'eks-token-1');
  assert.equal((await client.connection()).token, 'eks-token-2');
});

test('the kubeconfig helm gets reaches the same server with the same credentials, read back by client-node', async () => {
  const source = await KubeClient.fromString(kubeconfig(`    client-certificate-data: ${b64(CERT)}\n    client-key-data: ${b64(KEY)}\n    as: alice`)).connection();
  const config = new KubeConfig();
  config.loadFromString(helmKubeconfig({ ...source, token: 'tok-123456' }));
  assert.deepEqual(await new KubeClient(config).connection(), { ...source, token: 'tok-123456' });
  assert.equal(source.impersonate, 'alice');
  assert.doesNotMatch(helmKubeconfig(source), /exec|auth-provider|client-key:|client-certificate:/, 'everything inline, nothing to run');
});
