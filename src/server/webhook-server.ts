import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { InProcessQueue } from '../queue/in-process-queue.ts';
import { logDelivery, type DeliveryNames } from '../queue/delivery-log.ts';
import { DEFAULT_MAX_BODY_BYTES, deliveryNames, SIGNATURE_REFUSED, takeVerifiedDelivery, tooLarge } from '../queue/intake.ts';
import { claimedDigest, SIGNATURE_HEADER, SignatureCheck } from '../queue/webhook-signature.ts';
import { readSignedBody } from './read-signed-body.ts';

/** What one client, or many, can make the server hold while it receives deliveries. */
export interface IntakeLimits {
  /** Bytes a body may have (WEBHOOK_MAX_BODY_BYTES; intake.ts says why 1 MiB by default). */
  maxBodyBytes: number;
  /** Bodies received at once; more are answered 503 at once, so N clients hold at most this × maxBodyBytes. */
  maxInFlight: number;
  /** Milliseconds for a body to arrive, and for the headers before it: GitHub gives up after 10 s anyway. */
  timeoutMs: number;
}

export const DEFAULT_INTAKE_LIMITS: IntakeLimits = { maxBodyBytes: DEFAULT_MAX_BODY_BYTES, maxInFlight: 32, timeoutMs: 10_000 };

export interface WebhookServerOptions {
  secret: string;
  queue: InProcessQueue;
  /** Default /api/github/webhooks, as on Lambda. */
  path?: string;
  limits?: Partial<IntakeLimits>;
}

/**
 * The self-hosted webhook endpoint: the same intake as the Lambda function, then the in-process queue
 * instead of SQS, and 202 before the work is done. Nothing is read of a body before its request shows a
 * well-formed signature header (401) and a Content-Length within the limit (413); the HMAC is computed
 * as the body streams in, and a request refused midway is answered and its connection closed.
 */
export function createWebhookServer(options: WebhookServerOptions): Server {
  const path = options.path ?? '/api/github/webhooks';
  const limits = { ...DEFAULT_INTAKE_LIMITS, ...options.limits };
  let inFlight = 0;
  return createServer({ headersTimeout: limits.timeoutMs, requestTimeout: 2 * limits.timeoutMs, connectionsCheckingInterval: Math.min(1000, limits.timeoutMs) }, (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && url.pathname === '/') return reply(response, 200, 'fsm-gitops is running');
    if (url.pathname !== path) return reply(response, 404, 'not found', true);
    if (request.method !== 'POST') return reply(response, 405, 'POST only', true);
    const received = Date.now();
    // A queued delivery is logged by the queue when handled; every other one here, once (delivery-log.ts).
    const answer = (status: number, message: string, names: DeliveryNames = deliveryNames(request.headers), close = false) => {
      logDelivery({ level: status < 300 ? 'info' : 'warn', ...names, outcome: `${status} ${message}`, ms: Date.now() - received });
      reply(response, status, message, close);
    };
    const claimed = claimedDigest(request.headers[SIGNATURE_HEADER]);
    if (!claimed) return answer(401, SIGNATURE_REFUSED, undefined, true);
    if (Number(request.headers['content-length']) > limits.maxBodyBytes) return answer(413, tooLarge(limits.maxBodyBytes), undefined, true);
    if (inFlight >= limits.maxInFlight) return answer(503, `${limits.maxInFlight} deliveries are being received: try again`, undefined, true);
    inFlight++;
    const check = new SignatureCheck(options.secret);
    void readSignedBody(request, check, { maxBytes: limits.maxBodyBytes, timeoutMs: limits.timeoutMs }).then((read) => {
      inFlight--;
      if (!read.ok) return answer(read.status, read.message, undefined, true);
      if (!check.matches(claimed)) return answer(401, SIGNATURE_REFUSED);
      const intake = takeVerifiedDelivery(request.headers, read.body);
      if (!intake.queued) return answer(intake.status, intake.message, intake.names);
      const { group, ...event } = intake.queued;
      if (!options.queue.push(group, event)) return answer(202, `delivery ${event.delivery} was received before: it is handled once`, intake.names);
      reply(response, intake.status, intake.message);
    });
  });
}

/** close: the request's body was not read (or not all of it), so the connection cannot carry another. */
function reply(response: ServerResponse<IncomingMessage>, status: number, message: string, close = false): void {
  response.writeHead(status, { 'content-type': 'text/plain', ...(close ? { connection: 'close' } : {}) }).end(message);
}
