import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * One call to an AWS JSON-protocol API (SQS, SSM, Secrets Manager), signed with the SDK's own SigV4
 * signer and the Lambda's credentials from the environment. The webhook function must start fast: the
 * full SDK clients would cost it megabytes and hundreds of milliseconds for three calls.
 */
export async function awsJsonCall<T>(service: string, target: string, body: unknown, env: Record<string, string | undefined> = process.env): Promise<T> {
  const region = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (!region || !accessKeyId || !secretAccessKey) throw new AwsCallError(`${target}: no AWS region or credentials in the environment`, 0, 'MissingCredentials');
  const hostname = `${service}.${region}.amazonaws.com`;
  const signer = new SignatureV4({
    service,
    region,
    sha256: Sha256,
    credentials: { accessKeyId, secretAccessKey, ...(env['AWS_SESSION_TOKEN'] ? { sessionToken: env['AWS_SESSION_TOKEN'] } : {}) },
  });
  const payload = JSON.stringify(body);
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'https:',
    hostname,
    path: '/',
    headers: { host: hostname, 'content-type': `application/x-amz-json-${service === 'sqs' ? '1.0' : '1.1'}`, 'x-amz-target': target },
    body: payload,
  });
  const response = await fetch(`https://${hostname}/`, { method: 'POST', headers: signed.headers, body: payload });
  const text = await response.text();
  const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  if (!response.ok) {
    const type = String(parsed['__type'] ?? response.headers.get('x-amzn-errortype') ?? 'Error').split('#').pop()!.split(':')[0]!;
    const message = String(parsed['message'] ?? parsed['Message'] ?? `HTTP ${response.status}`);
    throw new AwsCallError(`${target}: ${type}: ${message}`, response.status, type);
  }
  return parsed as T;
}

export class AwsCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly type: string,
  ) {
    super(message);
    this.name = 'AwsCallError';
  }
}
