import { verify } from '@octokit/webhooks-methods';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readSecret, secretRef } from '../aws/secrets.ts';
import { sendFifoMessage } from '../aws/sqs.ts';
import { HANDLED_EVENTS, MAX_MESSAGE_BYTES, type QueuedEvent } from './queued-event.ts';

/**
 * POST /api/github/webhooks: checks the signature before anything else, queues the delivery, answers 202.
 * GitHub waits 10 seconds and never redelivers, so this function does no more than that: it loads neither
 * the Kubernetes client nor the plan engine.
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  const signature = headers['x-hub-signature-256'];
  const secret = await readSecret(secretRef(process.env, 'WEBHOOK_SECRET'));
  if (!signature || !(await verify(secret, body, signature).catch(() => false))) {
    return answer(401, 'signature missing or wrong');
  }
  const name = headers['x-github-event'];
  const id = headers['x-github-delivery'];
  if (!name || !id) return answer(400, 'x-github-event and x-github-delivery are required');
  if (!HANDLED_EVENTS.has(name)) return answer(202, `event ${name} is not one fsm-gitops acts on`);

  const message: QueuedEvent = { id, name, payload: body };
  const text = JSON.stringify(message);
  if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) return answer(413, `delivery ${id} is larger than the queue takes`);
  await sendFifoMessage({ queueUrl: process.env['QUEUE_URL'] ?? '', body: text, groupId: repositoryOf(body), deduplicationId: id });
  return answer(202, `queued ${name} ${id}`);
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

function answer(statusCode: number, message: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'text/plain' }, body: message };
}
