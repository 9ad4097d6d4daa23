import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { InProcessQueue } from '../queue/in-process-queue.ts';
import { logDelivery } from '../queue/delivery-log.ts';
import { takeDelivery } from '../queue/intake.ts';

export interface WebhookServerOptions {
  secret: string;
  queue: InProcessQueue;
  /** Default /api/github/webhooks, as on Lambda. */
  path?: string;
}

const MAX_BODY_BYTES = 25 * 1024 * 1024;

/**
 * The self-hosted webhook endpoint: the same intake as the Lambda function (signature first, 401 when
 * forged or missing), then the in-process queue instead of SQS, and 202 before the work is done.
 */
export function createWebhookServer(options: WebhookServerOptions): Server {
  const path = options.path ?? '/api/github/webhooks';
  return createServer((request, response) => {
    const reply = (status: number, message: string): void => {
      response.writeHead(status, { 'content-type': 'text/plain' }).end(message);
    };
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && url.pathname === '/') return reply(200, 'fsm-gitops is running');
    if (url.pathname !== path) return reply(404, 'not found');
    if (request.method !== 'POST') return reply(405, 'POST only');
    const received = Date.now();
    // A queued delivery is logged by the queue when handled; every other one here, once (delivery-log.ts).
    const header = (name: string) => String(request.headers[name] ?? '?');
    const logged = (status: number, message: string, names = { id: header('x-github-delivery'), event: header('x-github-event') }) =>
      logDelivery({ level: status < 300 ? 'info' : 'warn', ...names, outcome: `${status} ${message}`, ms: Date.now() - received });
    readBody(request)
      .then(async (body) => {
        const intake = await takeDelivery(request.headers as Record<string, string | undefined>, body, options.secret);
        if (intake.queued) {
          const { group, ...event } = intake.queued;
          if (!options.queue.push(group, event)) {
            logged(202, 'already queued', intake.names);
            return reply(202, `delivery ${event.delivery} already queued`);
          }
        } else logged(intake.status, intake.message, intake.names);
        reply(intake.status, intake.message);
      })
      .catch((error: Error) => {
        const status = error.message === 'too large' ? 413 : 400;
        logged(status, error.message);
        reply(status, error.message);
      });
  });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('too large'));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
