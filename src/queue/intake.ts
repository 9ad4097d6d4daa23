import { verify } from '@octokit/webhooks-methods';
import { isObject } from '../core/json.ts';
import { fromWebhook } from '../events/from-webhook.ts';
import type { DeliveryNames } from './delivery-log.ts';
import { MAX_MESSAGE_BYTES, queueGroup, type QueuedEvent } from './queued-event.ts';

export type Intake = { names: DeliveryNames } & (
  | { status: 202; message: string; queued: QueuedEvent & { group: string } }
  | { status: 202 | 400 | 401 | 413; message: string; queued?: undefined }
);

/**
 * What happens to a webhook delivery before anything else, on Lambda and on the Node server alike:
 * the signature is checked (401 when forged or missing), then a delivery the app acts on is cut down to
 * an AppEvent and becomes a queue message, grouped by repository. `names` is what the delivery log says
 * of it (the repository only once the signature is good).
 */
export async function takeDelivery(headers: Record<string, string | undefined>, body: string, secret: string): Promise<Intake> {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const signature = lower['x-hub-signature-256'];
  const name = lower['x-github-event'];
  const id = lower['x-github-delivery'];
  const names: DeliveryNames = { id: id ?? '?', event: name ?? '?' };
  if (!signature || !(await verify(secret, body, signature).catch(() => false))) return { names, status: 401, message: 'signature missing or wrong' };
  if (!name || !id) return { names, status: 400, message: 'x-github-event and x-github-delivery are required' };
  let payload: unknown;
  try {
    payload = JSON.parse(body);
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

function eventName(name: string, payload: unknown): string {
  const action = isObject(payload) ? payload['action'] : undefined;
  return typeof action === 'string' ? `${name}.${action}` : name;
}

function repositoryName(payload: unknown): string | undefined {
  const repository = isObject(payload) ? payload['repository'] : undefined;
  const fullName = isObject(repository) ? repository['full_name'] : undefined;
  return typeof fullName === 'string' ? fullName : undefined;
}
