import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readSecret, secretRef } from '../aws/secrets.ts';
import { sendFifoMessage } from '../aws/sqs.ts';
import { logDelivery } from '../queue/delivery-log.ts';
import { maxBodyBytesFromEnv, takeDelivery } from '../queue/intake.ts';
import { withRedactedErrors } from './redacted-errors.ts';

/**
 * POST /api/github/webhooks: checks the signature before anything else (a missing one and a body over
 * WEBHOOK_MAX_BODY_BYTES are refused before the HMAC: API Gateway's own cap is 10 MB), queues the delivery, answers 202.
 * GitHub waits 10 seconds and never redelivers, so this function does no more than that: it loads neither
 * the Kubernetes client nor the plan engine.
 */
export const handler = withRedactedErrors(receive);

async function receive(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const received = Date.now();
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const secret = await readSecret(secretRef(process.env, 'WEBHOOK_SECRET'));
  const intake = takeDelivery(event.headers ?? {}, body, secret, maxBodyBytesFromEnv(process.env));
  if (intake.queued) {
    const { group, ...message } = intake.queued;
    await sendFifoMessage({ queueUrl: process.env['QUEUE_URL'] ?? '', body: JSON.stringify(message), groupId: group, deduplicationId: message.delivery });
  }
  logDelivery({ level: intake.status < 300 ? 'info' : 'warn', ...intake.names, outcome: `${intake.status} ${intake.message}`, ms: Date.now() - received });
  return { statusCode: intake.status, headers: { 'content-type': 'text/plain' }, body: intake.message };
}
