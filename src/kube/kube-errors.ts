import { isObject, type JsonObject } from '../core/json.ts';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** A Status's `details`: what the error is about (`{ kind: 'namespaces', name: 'x' }` for a missing namespace). */
export interface StatusDetails {
  kind?: string;
  name?: string;
  group?: string;
}

/** The API server answered with an error Status. */
export class KubeApiError extends Error {
  readonly status: number;
  /** The Status's message as the server wrote it (without the `what:` prefix of `message`). */
  readonly serverMessage: string;
  readonly reason: string | undefined;
  readonly details: StatusDetails;
  readonly causes: StatusCause[];
  /** From a `Retry-After: <seconds>` header, when the answer had one. */
  readonly retryAfterMs: number | undefined;

  /** `body` is the parsed answer (a Status, or `{ message }` for a plain-text one); `retryAfter` the raw header. */
  constructor(status: number, body: unknown, what: string, retryAfter?: string) {
    const statusBody = isObject(body) ? body : undefined;
    const message = typeof statusBody?.['message'] === 'string' ? statusBody['message'].trim() : `HTTP ${status}`;
    super(`${what}: ${message}`);
    this.name = 'KubeApiError';
    this.status = status;
    this.serverMessage = message;
    this.reason = typeof statusBody?.['reason'] === 'string' ? statusBody['reason'] : undefined;
    this.retryAfterMs = parseRetryAfter(retryAfter);
    const details = statusBody?.['details'];
    this.details = {};
    for (const key of ['kind', 'name', 'group'] as const) {
      const value = isObject(details) ? details[key] : undefined;
      if (typeof value === 'string') this.details[key] = value;
    }
    const causes = isObject(details) && Array.isArray(details['causes']) ? details['causes'] : [];
    this.causes = causes.filter(isObject).map((c: JsonObject) => ({
      reason: typeof c['reason'] === 'string' ? c['reason'] : undefined,
      message: typeof c['message'] === 'string' ? c['message'] : undefined,
      field: typeof c['field'] === 'string' ? c['field'] : undefined,
    }));
  }
}

/** The API server could not be reached at all (after retries). */
export class KubeUnreachableError extends Error {
  /** `transport`: what the network said (a Node error code such as ECONNREFUSED, or `no answer within 30 s`). */
  constructor(
    server: string,
    readonly transport: string,
  ) {
    super(`cannot reach the Kubernetes API server ${server}: ${transport}`);
    this.name = 'KubeUnreachableError';
  }
}

/**
 * The kubeconfig's user could not produce credentials: its exec plugin or auth provider failed, or a
 * certificate or token file could not be read (@kubernetes/client-node's applyToHTTPSOptions threw). Nothing
 * was sent for that request. The user's to fix: run the plugin or renew the login.
 */
export class KubeconfigCredentialsError extends Error {
  /** `user`: the kubeconfig user's name; `source`: what resolves its credentials (`exec plugin "aws"`). */
  constructor(user: string, source: string, cause: string) {
    super(`kubeconfig user "${user}" could not get credentials from its ${source}: ${cause.trim() || '(no message)'}; the request was not sent. Run it yourself to see why, or renew its login`);
    this.name = 'KubeconfigCredentialsError';
  }
}

/** `Retry-After` in seconds (RFC 9110 also allows an HTTP date, which the API server does not send), in ms. */
function parseRetryAfter(header: string | undefined): number | undefined {
  if (header === undefined || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header) * 1000;
}

/** A request that got no HTTP answer (connection refused or reset, DNS, timeout). */
export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

/** An API server's answer larger than fsm-gitops reads (http-exchange.ts MAX_RESPONSE_BYTES); not retried. */
export class ResponseTooLargeError extends Error {
  /** `request`: `GET /apis/...` (no query); `maxBytes`: the bound. */
  constructor(request: string, maxBytes: number) {
    const MiB = 1024 * 1024;
    const bound = maxBytes >= MiB ? `${Math.floor(maxBytes / MiB)} MiB` : `${maxBytes} bytes`;
    super(`${request}: the API server's answer is larger than ${bound}, the most fsm-gitops reads from it; not read further`);
    this.name = 'ResponseTooLargeError';
  }
}
