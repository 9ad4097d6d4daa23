import http from 'node:http';
import https, { type Agent } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { displayUrl } from '../redact/display-url.ts';
import { redactShapes } from '../redact/secret-shapes.ts';
import { isObject, type JsonObject } from '../core/json.ts';
import { clusterConnection, type ClusterConnection } from './cluster-connection.ts';
import { isRetryable } from './error-kind.ts';
import { KubeApiError, KubeUnreachableError, TransportError } from './kube-errors.ts';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface KubeRequest {
  method: HttpMethod;
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  /** What the request is for, in error messages: `read MeshConfig fsm-system/fsm-mesh-config`. */
  what: string;
  /**
   * Called before each attempt; throws to stop (the Lease is lost): a write never starts unfenced. May
   * return the most ms the attempt may take (the Lease's remaining validity), so it cannot land later.
   */
  guard?: () => number | void;
  /** Per-attempt timeout in ms, lower than the client's (a Lease renewal must not wait 30 s). */
  timeoutMs?: number;
  /** Overrides the client's retry policy for this request. */
  retry?: RetryPolicy;
}

export interface KubeClientOptions {
  retry?: RetryPolicy;
  timeoutMs?: number;
  /** A bearer token fetched before each request (and cached by the provider): EKS tokens expire. */
  token?: () => Promise<string>;
  /** Epoch ms after which no request starts and none waits longer: the whole command's deadline. */
  deadline?: number;
}

/** The command's deadline (--timeout) passed: no more requests are made. */
export class DeadlineExceededError extends Error {
  constructor(what: string) {
    super(`${what}: the time limit of this run is up (the CLI's --timeout; in the app, the worker's time)`);
    this.name = 'DeadlineExceededError';
  }
}

/** What the apply path needs of a client; tests wrap a real client to inject failures. */
export type KubeApi = Pick<KubeClient, 'server' | 'request' | 'get' | 'list'>;

/**
 * REST calls to the API server with the wire JSON left as it is. @kubernetes/client-node supplies the
 * kubeconfig handling (contexts, certificates, tokens, exec) as an agent and headers; its typed API
 * classes are not used because they deserialize known kinds into models (a CRD's `x-kubernetes-*` keys
 * renamed, timestamps turned into Dates), and the plan engine compares and validates the objects as the
 * server sends them. The requests go through node:https directly, with a timeout per request.
 */
export class KubeClient {
  /** The API server's URL as it may be shown: without user information (src/redact/display-url.ts). */
  readonly server: string;
  /** The URL requests go to, as the kubeconfig wrote it. */
  private readonly endpoint: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly token: (() => Promise<string>) | undefined;
  private readonly deadline: number | undefined;

  constructor(
    private readonly config: KubeConfig,
    private readonly options: KubeClientOptions = {},
  ) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster: pass --context or set current-context');
    this.endpoint = cluster.server.replace(/\/+$/, '');
    this.server = displayUrl(this.endpoint);
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.token = options.token;
    this.deadline = options.deadline;
  }

  /** The same cluster and credentials with a deadline (epoch ms) on every request; undefined lifts it. */
  withDeadline(deadline: number | undefined): KubeClient {
    return new KubeClient(this.config, { ...this.options, deadline });
  }

  static fromFile(path: string, context?: string, options?: KubeClientOptions): KubeClient {
    const config = new KubeConfig();
    loadKubeconfig(() => config.loadFromFile(path));
    if (context) selectContext(config, context);
    return new KubeClient(config, options);
  }

  /** A server, its CA (base64 PEM, as in a kubeconfig) and a token source: how an EKS cluster is reached. */
  static fromServer(server: string, certificateAuthority: string | undefined, options: KubeClientOptions): KubeClient {
    const config = new KubeConfig();
    config.loadFromClusterAndUser({ name: 'cluster', server, caData: certificateAuthority, skipTLSVerify: false }, { name: 'fsm-gitops' });
    return new KubeClient(config, options);
  }

  static fromString(kubeconfig: string, context?: string, options?: KubeClientOptions): KubeClient {
    const config = new KubeConfig();
    loadKubeconfig(() => config.loadFromString(kubeconfig));
    if (context) selectContext(config, context);
    return new KubeClient(config, options);
  }

  async request<T = JsonObject>(request: KubeRequest): Promise<T> {
    return withRetry(
      request.retry ?? this.retry,
      () => {
        const limitMs = request.guard?.();
        return this.once<T>(request, typeof limitMs === 'number' ? limitMs : Infinity);
      },
      isRetryable,
      retryAfter,
      this.deadline,
    ).catch((error: unknown) => {
      if (error instanceof TransportError) {
        // No answer because the deadline cut the wait short: say that, not "cannot reach".
        if (this.deadline !== undefined && Date.now() >= this.deadline - 100) throw new DeadlineExceededError(request.what);
        throw new KubeUnreachableError(this.server, error.message);
      }
      throw error;
    });
  }

  /** The server, CA and credential resolved now, for another program that must reach the same cluster (helm). */
  connection(): Promise<ClusterConnection> {
    return clusterConnection(this.config, this.endpoint, this.token);
  }

  /** Logs and error reports may serialize a client: show where it points, never its credentials. */
  toJSON(): { server: string } {
    return { server: this.server };
  }

  /** GET, or undefined on 404. */
  async get(path: string, what: string): Promise<JsonObject | undefined> {
    try {
      return await this.request({ method: 'GET', path, what });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Every item of a collection, following `continue` tokens. */
  async list(path: string, what: string, labelSelector?: string): Promise<JsonObject[]> {
    const items: JsonObject[] = [];
    let continueToken: string | undefined;
    do {
      const page = await this.request({ method: 'GET', path, query: { labelSelector, limit: '500', continue: continueToken }, what });
      const pageItems = Array.isArray(page['items']) ? page['items'].filter(isObject) : [];
      const kind = typeof page['kind'] === 'string' ? page['kind'].replace(/List$/, '') : undefined;
      const apiVersion = typeof page['apiVersion'] === 'string' ? page['apiVersion'] : undefined;
      // List items come without apiVersion and kind; put them back so each item stands alone.
      for (const item of pageItems) items.push({ apiVersion: apiVersion ?? '', kind: kind ?? '', ...item });
      const metadata = page['metadata'];
      continueToken = isObject(metadata) && typeof metadata['continue'] === 'string' && metadata['continue'] !== '' ? metadata['continue'] : undefined;
    } while (continueToken);
    return items;
  }

  private async once<T>(request: KubeRequest, limitMs: number): Promise<T> {
    const url = new URL(this.endpoint + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    // client-node turns the kubeconfig into an agent (CA, client certificate) and headers (token).
    const init = await this.config.applyToFetchOptions({});
    const headers: Record<string, string> = {};
    for (const [key, value] of init.headers as Iterable<[string, string]>) headers[key.toLowerCase()] = value;
    headers['accept'] = 'application/json';
    if (this.token) headers['authorization'] = `Bearer ${await this.token()}`;
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    if (payload !== undefined) {
      headers['content-type'] = request.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const timeoutMs = Math.min(request.timeoutMs ?? this.timeoutMs, limitMs, this.deadline === undefined ? Infinity : this.deadline - Date.now());
    if (timeoutMs <= 0) throw new DeadlineExceededError(request.what);
    const { status, text, retryAfter } = await send(url, request.method, headers, payload, init.agent as Agent | undefined, timeoutMs);
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      body = { message: text.slice(0, 200) };
    }
    if (status < 200 || status >= 300) throw new KubeApiError(status, body, request.what, retryAfter);
    return body as T;
  }
}

/**
 * How long to wait before retrying a throttled (429) or unavailable (503) answer: its `Retry-After`
 * header; 1 s for a 429 without one (the API server's priority and fairness sends one, older servers not).
 */
function retryAfter(error: unknown): number | undefined {
  if (!(error instanceof KubeApiError) || (error.status !== 429 && error.status !== 503)) return undefined;
  return error.retryAfterMs ?? (error.status === 429 ? 1_000 : undefined);
}

interface Answer {
  status: number;
  text: string;
  /** The `Retry-After` header, as sent. */
  retryAfter: string | undefined;
}

/** One HTTP exchange; no answer within the timeout, or no connection at all, is a TransportError. */
function send(url: URL, method: string, headers: Record<string, string>, payload: string | undefined, agent: Agent | undefined, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // Looked up at call time (not a named import), so interceptors such as nock's see the requests.
    const req = (url.protocol === 'http:' ? http.request : https.request)(url, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      const header = response.headers['retry-after'];
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), retryAfter: Array.isArray(header) ? header[0] : header }));
      response.on('error', (error) => reject(new TransportError(error.message)));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new TransportError(`no answer within ${Math.ceil(timeoutMs / 100) / 10} s`)));
    req.on('error', (error) => reject(error instanceof TransportError ? error : new TransportError((error as NodeJS.ErrnoException).code ?? error.message)));
    req.end(payload);
  });
}

/**
 * Runs a kubeconfig load; a YAML error says where (line, column) and why, never the file's lines: js-yaml's
 * message (YAMLException, as client-node uses it) quotes the lines around the error, tokens and keys included.
 */
function loadKubeconfig(load: () => void): void {
  try {
    load();
  } catch (error) {
    const { reason, mark } = error as { reason?: unknown; mark?: { line?: unknown; column?: unknown } };
    if (typeof reason === 'string' && typeof mark?.line === 'number' && typeof mark.column === 'number') {
      throw new Error(`the kubeconfig is not valid YAML: ${redactShapes(reason)} (line ${mark.line + 1}, column ${mark.column + 1})`);
    }
    throw new Error(redactShapes((error as Error).message.split('\n')[0] ?? ''));
  }
}

function selectContext(config: KubeConfig, context: string): void {
  if (!config.getContexts().some((c) => c.name === context)) {
    throw new Error(`the kubeconfig has no context "${context}"; it has: ${config.getContexts().map((c) => c.name).join(', ')}`);
  }
  config.setCurrentContext(context);
}
