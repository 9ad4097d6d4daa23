import { verify } from '@octokit/webhooks-methods';
import { fromWebhook } from '../events/from-webhook.ts';
import { MAX_MESSAGE_BYTES, queueGroup, type QueuedEvent } from './queued-event.ts';

export type Intake =
  | { status: 202; message: string; queued: QueuedEvent & { group: string } }
  | { status: 202 | 400 | 401 | 413; message: string; queued?: undefined };

/**
 * What happens to a webhook delivery before anything else, on Lambda and on the Node server alike:
 * the signature is checked (401 when forged or missing), then a delivery the app acts on is cut down to
 * an AppEvent and becomes a queue message, grouped by repository.
 */
export async function takeDelivery(headers: Record<string, string | undefined>, body: string, secret: string): Promise<Intake> {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const signature = lower['x-hub-signature-256'];
  if (!signature || !(await verify(secret, body, signature).catch(() => false))) return { status: 401, message: 'signature missing or wrong' };
  const name = lower['x-github-event'];
  const id = lower['x-github-delivery'];
  if (!name || !id) return { status: 400, message: 'x-github-event and x-github-delivery are required' };
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return { status: 400, message: 'the body is not JSON' };
  }
  const extracted = fromWebhook(name, id, payload);
  if (!extracted.event) return { status: 202, message: `ignored: ${extracted.ignored}` };
  const queued = extracted.event;
  if (Buffer.byteLength(JSON.stringify(queued)) > MAX_MESSAGE_BYTES) return { status: 413, message: `delivery ${id} is larger than the queue takes` };
  return { status: 202, message: `queued ${name}.${queued.action} ${id}`, queued: { ...queued, group: queueGroup(queued) } };
}
