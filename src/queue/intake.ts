import { isObject } from '../core/json.ts';
import { fromWebhook } from '../events/from-webhook.ts';
import type { DeliveryNames } from './delivery-log.ts';
import { MAX_MESSAGE_BYTES, queueGroup, type QueuedEvent } from './queued-event.ts';
import { claimedDigest, SIGNATURE_HEADER, SignatureCheck } from './webhook-signature.ts';

export type Intake = { names: DeliveryNames } & (
  | { status: 202; message: string; queued: QueuedEvent & { group: string } }
  | { status: 202 | 400 | 401 | 413; message: string; queued?: undefined }
);

type Headers = Record<string, string | string[] | undefined>;

/**
 * Bytes a delivery's body may have. The events the app takes are far below it: a pull request's or a
 * comment's body is at most 65,536 characters, so even two of them written as 6-byte JSON escapes plus
 * the rest of the payload (~30 KB) stay under 1 MiB. GitHub caps payloads at 25 MB
 * (https://docs.github.com/webhooks/webhook-events-and-payloads#payload-cap); only events this app
 * ignores (an `installation` on thousands of repositories) come near that.
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export const SIGNATURE_REFUSED = 'signature missing or wrong';

/** WEBHOOK_MAX_BODY_BYTES (a whole number of bytes, at least 1 KiB), or the default. Throws a one-line message naming the setting. */
export function maxBodyBytesFromEnv(env: Record<string, string | undefined>): number {
  const text = env['WEBHOOK_MAX_BODY_BYTES']?.trim();
  if (!text) return DEFAULT_MAX_BODY_BYTES;
  const bytes = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1024) throw new Error(`WEBHOOK_MAX_BODY_BYTES: "${text}" is not a number of bytes of at least 1024: set it (default ${DEFAULT_MAX_BODY_BYTES}) or unset it`);
  return bytes;
}

export function tooLarge(maxBytes: number): string {
  return `the body is over ${maxBytes} bytes (WEBHOOK_MAX_BODY_BYTES)`;
}

/**
 * A delivery whose whole body is in hand (Lambda: API Gateway passes it at once): a missing or
 * malformed signature is 401 and a body over maxBytes 413 before the HMAC is computed, then the
 * signature is checked (401 when forged) and the delivery taken as takeVerifiedDelivery says.
 */
export function takeDelivery(headers: Headers, body: Buffer, secret: string, maxBytes = DEFAULT_MAX_BODY_BYTES): Intake {
  const lower = lowerCased(headers);
  const claimed = claimedDigest(lower[SIGNATURE_HEADER]);
  if (!claimed) return { names: deliveryNames(lower), status: 401, message: SIGNATURE_REFUSED };
  if (body.byteLength > maxBytes) return { names: deliveryNames(lower), status: 413, message: tooLarge(maxBytes) };
  if (!new SignatureCheck(secret).update(body).matches(claimed)) return { names: deliveryNames(lower), status: 401, message: SIGNATURE_REFUSED };
  return takeVerifiedDelivery(lower, body);
}

/**
 * What happens to a delivery once its signature is good, on Lambda and on the Node server alike: one
 * the app acts on is cut down to an AppEvent and becomes a queue message, grouped by repository; any
 * other is answered 202 (ignored) or 400. `names` is what the delivery log says of it.
 */
export function takeVerifiedDelivery(headers: Headers, body: Buffer): Intake {
  const lower = lowerCased(headers);
  const names = deliveryNames(lower);
  const name = header(lower, 'x-github-event');
  const id = header(lower, 'x-github-delivery');
  if (!name || !id) return { names, status: 400, message: 'x-github-event and x-github-delivery are required' };
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    return { names, status: 400, message: 'the body is not JSON' };
  }
  names.event = eventName(name, payload);
  names.repository = repositoryName(payload);
  const extracted = fromWebhook(name, id, payload);
  if (!extracted.event) return { names, status: 202, message: `ignored: ${extracted.ignored}` };
  const queued = extracted.event;
  if (Buffer.byteLength(JSON.stringify(queued)) > MAX_MESSAGE_BYTES) return { names, status: 413, message: `delivery ${id} is larger than the queue takes` };
  return { names, status: 202, message: `queued ${name}.${queued.action} ${id}`, queued: { ...queued, group: queueGroup(queued) } };
}

/** What the log says of a delivery before its body is trusted: the id and event its headers claim (`?` when absent). */
export function deliveryNames(headers: Headers): DeliveryNames {
  const lower = lowerCased(headers);
  return { id: header(lower, 'x-github-delivery') ?? '?', event: header(lower, 'x-github-event') ?? '?' };
}

function lowerCased(headers: Headers): Headers {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function eventName(name: string, payload: unknown): string {
  const action = isObject(payload) ? payload['action'] : undefined;
  return typeof action === 'string' ? `${name}.${action}` : name;
}

function repositoryName(payload: unknown): string | undefined {
  const repository = isObject(payload) ? payload['repository'] : undefined;
  const fullName = isObject(repository) ? repository['full_name'] : undefined;
  return typeof fullName === 'string' ? fullName : undefined;
}
