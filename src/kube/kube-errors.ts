import { isObject, type JsonObject } from '../core/json.ts';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The API server answered with an error Status. */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  readonly causes: StatusCause[];

  constructor(status: number, body: unknown, what: string) {
    const statusBody = isObject(body) ? body : undefined;
    const message = typeof statusBody?.['message'] === 'string' ? statusBody['message'] : `HTTP ${status}`;
    super(`${what}: ${message}`);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = typeof statusBody?.['reason'] === 'string' ? statusBody['reason'] : undefined;
    const details = statusBody?.['details'];
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
  constructor(server: string, cause: string) {
    super(`cannot reach the Kubernetes API server ${server}: ${cause}`);
    this.name = 'KubeUnreachableError';
  }
}

/** Worth another try: throttled, a server-side failure, or the network. Never a validation error. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof KubeApiError) return error.status === 429 || error.status >= 500;
  return error instanceof TransportError;
}

/** A request that got no HTTP answer (connection refused or reset, DNS, timeout). */
export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportError';
  }
}
