import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** EKS accepts a token for 15 minutes; take a new one well before that. */
const TOKEN_LIFETIME_MS = 10 * 60_000;
const PREFIX = 'k8s-aws-v1.';

/**
 * The bearer token EKS accepts for an IAM identity (what `aws eks get-token` prints): a presigned
 * STS GetCallerIdentity URL, bound to the cluster by the signed x-k8s-aws-id header, base64url-encoded.
 * Made in-process: no aws CLI, no exec plugin.
 */
export async function eksToken(cluster: string, region: string, credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider, now = new Date()): Promise<string> {
  const signer = new SignatureV4({ service: 'sts', region, credentials, sha256: Sha256 });
  const hostname = `sts.${region}.amazonaws.com`;
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, 'x-k8s-aws-id': cluster },
    },
    { expiresIn: 60, signingDate: now },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return PREFIX + Buffer.from(url).toString('base64url');
}

/** Hands out a cached EKS token and makes a new one before the old one expires. */
export class EksTokenSource {
  private current: { token: string; expires: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly cluster: string,
    private readonly region: string,
    private readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async token(): Promise<string> {
    const now = this.clock();
    if (this.current && now.getTime() < this.current.expires) return this.current.token;
    this.pending ??= eksToken(this.cluster, this.region, this.credentials, now)
      .then((token) => {
        this.current = { token, expires: now.getTime() + TOKEN_LIFETIME_MS };
        return token;
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}
