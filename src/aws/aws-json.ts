import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * How long one call may take by default, answer read included (ms). The webhook function makes at most two (its
 * secret on a cold start, then SendMessage) within its 10 s timeout (serverless.yml), which must answer GitHub in 10 s.
 */
export const AWS_CALL_TIMEOUT_MS = 4_000;
/** The largest answer read (bytes): a Secrets Manager secret is at most 64 KiB, an SSM parameter 8 KiB (AWS quotas). */
export const AWS_ANSWER_MAX_BYTES = 1024 * 1024;

export interface AwsCallLimits {
  /** Default AWS_CALL_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Default AWS_ANSWER_MAX_BYTES. */
  maxBytes?: number;
}

/**
 * One call to an AWS JSON-protocol API (SQS, SSM, Secrets Manager), signed with the SDK's own SigV4
 * signer and the Lambda's credentials from the environment. The webhook function must start fast: the
 * full SDK clients would cost it megabytes and hundreds of milliseconds for three calls.
 * Throws AwsCallError: the service's error (its `__type`), `Timeout` when no whole answer came within
 * `limits.timeoutMs`, `AnswerTooLarge` past `limits.maxBytes`, `MissingCredentials`.
 */
export async function awsJsonCall<T>(service: string, target: string, body: unknown, env: Record<string, string | undefined> = process.env, limits: AwsCallLimits = {}): Promise<T> {
  const { timeoutMs = AWS_CALL_TIMEOUT_MS, maxBytes = AWS_ANSWER_MAX_BYTES } = limits;
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
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(`https://${hostname}/`, { method: 'POST', headers: signed.headers, body: payload, signal });
    text = await boundedText(response, maxBytes, target);
  } catch (error) {
    if (error instanceof AwsCallError) throw error;
    if (signal.aborted) throw new AwsCallError(`${target}: no answer from ${hostname} within ${timeoutMs / 1000} s`, 0, 'Timeout');
    throw error;
  }
  const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  if (!response.ok) {
    const type = String(parsed['__type'] ?? response.headers.get('x-amzn-errortype') ?? 'Error').split('#').pop()!.split(':')[0]!;
    const message = String(parsed['message'] ?? parsed['Message'] ?? `HTTP ${response.status}`);
    throw new AwsCallError(`${target}: ${type}: ${message}`, response.status, type);
  }
  return parsed as T;
}

/** The answer's body as text, refused past `maxBytes` (by its Content-Length, or as it arrives) with an error naming `target`. */
async function boundedText(response: Response, maxBytes: number, target: string): Promise<string> {
  const tooLarge = () => new AwsCallError(`${target}: the answer is larger than ${maxBytes} bytes`, response.status, 'AnswerTooLarge');
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of response.body ?? []) {
    bytes += chunk.length;
    if (bytes > maxBytes) throw tooLarge(); // leaving the loop cancels the stream
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks)); // as response.text(): a byte order mark is dropped
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
