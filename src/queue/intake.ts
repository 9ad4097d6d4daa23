import { verify } from '@octokit/webhooks-methods';
import { HANDLED_EVENTS, MAX_MESSAGE_BYTES, type QueuedEvent } from './queued-event.ts';

export type Intake =
  | { status: 202; message: string; queued: QueuedEvent & { group: string } }
  | { status: 202 | 400 | 401 | 413; message: string; queued?: undefined };

/**
 * What happens to a webhook delivery before anything else, on Lambda and on the Node server alike:
 * the signature is checked (401 when forged or missing), then a delivery the app acts on becomes a
 * queue message, grouped by repository.
 */
export async function takeDelivery(headers: Record<string, string | undefined>, body: string, secret: string): Promise<Intake> {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const signature = lower['x-hub-signature-256'];
  if (!signature || !(await verify(secret, body, signature).catch(() => false))) return { status: 401, message: 'signature missing or wrong' };
  const name = lower['x-github-event'];
  const id = lower['x-github-delivery'];
  if (!name || !id) return { status: 400, message: 'x-github-event and x-github-delivery are required' };
  if (!HANDLED_EVENTS.has(name)) return { status: 202, message: `event ${name} is not one fsm-gitops acts on` };
  const queued = { id, name, payload: body };
  if (Buffer.byteLength(JSON.stringify(queued)) > MAX_MESSAGE_BYTES) return { status: 413, message: `delivery ${id} is larger than the queue takes` };
  return { status: 202, message: `queued ${name} ${id}`, queued: { ...queued, group: repositoryOf(body) } };
}

/** Deliveries for one repository are handled in order, one at a time. */
function repositoryOf(body: string): string {
  try {
    const payload = JSON.parse(body) as { repository?: { full_name?: string } };
    return payload.repository?.full_name ?? 'no-repository';
  } catch {
    return 'no-repository';
  }
}
