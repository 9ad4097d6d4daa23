import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { test } from 'node:test';
import { EksTokenSource, eksToken } from '../../src/kube/credentials/eks-token.ts';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };
const AT = new Date('2026-11-25T12:00:00Z');

function decode(token: string): URL {
  assert.ok(token.startsWith('k8s-aws-v1.'));
  assert.doesNotMatch(token, /[=+/]/, 'base64url without padding');
  return new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString());
}

/** Recomputes the SigV4 query signature independently, the way STS checks it. */
function expectedSignature(url: URL, cluster: string): string {
  const params = [...url.searchParams.entries()].filter(([k]) => k !== 'X-Amz-Signature').sort(([a], [b]) => (a < b ? -1 : 1));
  const query = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const canonical = ['GET', '/', query, `host:${url.hostname}`, `x-k8s-aws-id:${cluster}`, '', 'host;x-k8s-aws-id', createHash('sha256').update('').digest('hex')].join('\n');
  const date = url.searchParams.get('X-Amz-Date')!;
  const scope = `${date.slice(0, 8)}/eu-west-1/sts/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${CREDENTIALS.secretAccessKey}`).update(date.slice(0, 8)).digest();
  for (const part of ['eu-west-1', 'sts', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(toSign).digest('hex');
}

test('the token is a presigned STS GetCallerIdentity URL bound to the cluster, valid as STS computes it', async () => {
  const url = decode(await eksToken('prod-eu-1', 'eu-west-1', CREDENTIALS, AT));
  assert.equal(url.origin, 'https://sts.eu-west-1.amazonaws.com');
  assert.equal(url.searchParams.get('Action'), 'GetCallerIdentity');
  assert.equal(url.searchParams.get('Version'), '2011-06-15');
  assert.equal(url.searchParams.get('X-Amz-Expires'), '60');
  assert.equal(url.searchParams.get('X-Amz-Date'), '20261125T120000Z');
  assert.equal(url.searchParams.get('X-Amz-Credential'), 'AKIDEXAMPLE/20261125/eu-west-1/sts/aws4_request');
  assert.equal(url.searchParams.get('X-Amz-SignedHeaders'), 'host;x-k8s-aws-id');
  assert.equal(url.searchParams.get('X-Amz-Security-Token'), 'session-token');
  assert.equal(url.searchParams.get('X-Amz-Signature'), expectedSignature(url, 'prod-eu-1'));
});

test('a token for another cluster has another signature', async () => {
  const a = decode(await eksToken('a', 'eu-west-1', CREDENTIALS, AT)).searchParams.get('X-Amz-Signature');
  const b = decode(await eksToken('b', 'eu-west-1', CREDENTIALS, AT)).searchParams.get('X-Amz-Signature');
  assert.notEqual(a, b);
});

test('the token source reuses a token for ten minutes, then makes a new one', async () => {
  let now = AT;
  const source = new EksTokenSource('prod', 'eu-west-1', CREDENTIALS, () => now);
  const first = await source.token();
  now = new Date(AT.getTime() + 9 * 60_000);
  assert.equal(await source.token(), first);
  now = new Date(AT.getTime() + 10 * 60_000 + 1);
  const second = await source.token();
  assert.notEqual(second, first);
  assert.equal(decode(second).searchParams.get('X-Amz-Date'), '20261125T121000Z');
});
