import { setMaxListeners } from 'node:events';
import type { OutgoingHttpHeaders } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { displayUrl } from '../redact/display-url.ts';
import { redactShapes } from '../redact/secret-shapes.ts';
import type { JsonObject } from '../core/json.ts';
import { clusterConnection, type ClusterConnection } from './cluster-connection.ts';
import { isRetryable } from './error-kind.ts';
import { KubeApiError, KubeUnreachableError, TransportError } from './kube-errors.ts';
import { DEFAULT_RETRY, MAX_RETRY_AFTER_MS, SINGLE_ATTEMPT, stoppableSleep, withRetry, type RetryPolicy } from './retry.ts';
import { ConnectionPool } from './connection-pool.ts';
import { send, serverAddress, type ServerAddress } from './http-exchange.ts';
import { kubeConcurrencyFromEnv } from './kube-concurrency.ts';
import { CacheReads, listCollection } from './collection-list.ts';
import { CredentialSource } from './request-credentials.ts';
import { plainHttpRefusal } from './plain-http.ts';
import { APPLY_PATCH, yamlSafeJson } from './yaml-safe-json.ts';

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
  /** What `deadline` is, in the error once it passes (default: the run's time limit, DeadlineExceededError). */
  deadlineName?: string;
  /** The most requests in flight, and connections open, to the server (default: FSM_GITOPS_KUBE_CONCURRENCY, else 16). */
  concurrency?: number;
  /** Whether a collection longer than a page is read from the watch cache (default: when the server is Kubernetes 1.31+; collection-list.ts). */
  listFromCache?: boolean;
  /**
   * Stops every request of this client once aborted: none starts, none is retried or waits, those in flight are
   * cut off (their connections closed); each then rejects with `signal.reason`. For work no longer wanted.
   */
  signal?: AbortSignal;
}

/** What a client and its withDeadline copies share: the connections, and what was learnt of the server. */
interface Shared {
  pool: ConnectionPool;
  credentials: CredentialSource;
  cacheReads: CacheReads;
}

/** A client's deadline passed (the command's --timeout, or the time a rollback is given: `limit`, named so): no more requests are made. */
export class DeadlineExceededError extends Error {
  constructor(what: string, limit?: string) {
    super(`${what}: ${limit === undefined ? "the time limit of this run is up (the CLI's --timeout; in the app, the worker's time)" : `${limit} is up`}`);
    this.name = 'DeadlineExceededError';
  }
}

/** What the apply path needs of a client; tests wrap a real client to inject failures. */
/** What writers and readers use of a client; `concurrency` (its bound on requests in flight) where the client has one. */
export type KubeApi = Pick<KubeClient, 'server' | 'request' | 'get' | 'list'> & Partial<Pick<KubeClient, 'concurrency'>>;

/**
 * REST calls to the API server with the wire JSON left as it is. @kubernetes/client-node supplies the
 * kubeconfig handling (contexts, certificates, tokens, exec) as an agent and headers; its typed API
 * classes are not used because they deserialize known kinds into models (a CRD's `x-kubernetes-*` keys
 * renamed, timestamps turned into Dates), and the plan engine compares and validates the objects as the
 * server sends them. The requests go through node:https directly, with a timeout per request, over
 * kept-alive connections (ConnectionPool) that the client and its withDeadline copies share; close()
 * closes them. Static credentials are resolved once and reused for a minute; an exec plugin's, an auth
 * provider's and an EKS token are asked for every request, so they stay fresh (request-credentials.ts).
 */
export class KubeClient {
  /** The API server's URL as it may be shown: without user information (src/redact/display-url.ts). */
  readonly server: string;
  /** The URL requests go to, as the kubeconfig wrote it. */
  private readonly endpoint: string;
  private readonly address: ServerAddress;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly token: (() => Promise<string>) | undefined;
  private readonly deadline: number | undefined;
  private readonly shared: Shared;
  private readonly pool: ConnectionPool;
  /** A kubeconfig's proxy-url: requests go through client-node's proxy agent, one per request. */
  private readonly proxied: boolean;

  /** `shared`: another client's connections and findings, for a copy of that client (withDeadline). */
  constructor(
    private readonly config: KubeConfig,
    private readonly options: KubeClientOptions = {},
    shared?: Shared,
  ) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster: pass --context or set current-context');
    const refusal = plainHttpRefusal(config.getCurrentContext(), cluster);
    if (refusal) throw new Error(refusal);
    this.endpoint = cluster.server.replace(/\/+$/, '');
    this.server = displayUrl(this.endpoint);
    this.address = serverAddress(this.endpoint);
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.token = options.token;
    this.deadline = options.deadline;
    this.proxied = Boolean(cluster.proxyUrl);
    this.shared = shared ?? {
      pool: new ConnectionPool(options.concurrency ?? kubeConcurrencyFromEnv(process.env), this.endpoint.startsWith('https:')),
      credentials: new CredentialSource(config),
      cacheReads: new CacheReads(options.listFromCache),
    };
    this.pool = this.shared.pool;
  }

  /**
   * The same cluster, credentials and connections with a deadline (epoch ms) on every request; undefined lifts it.
   * `name` says what the deadline is in the error once it passes (default: the run's time limit).
   */
  withDeadline(deadline: number | undefined, name?: string): KubeClient {
    const { deadlineName: _, ...options } = this.options;
    return new KubeClient(this.config, { ...options, deadline, ...(name === undefined ? {} : { deadlineName: name }) }, this.shared);
  }

  /** The same client (connections, deadline) retrying by `retry` instead of its own policy. */
  withRetryPolicy(retry: RetryPolicy): KubeClient {
    return new KubeClient(this.config, { ...this.options, retry }, this.shared);
  }

  /**
   * The same client (connections, deadline) whose requests stop when `signal` is aborted (KubeClientOptions.signal),
   * or the signal this client already stops with: either stops them.
   */
  withSignal(signal: AbortSignal): KubeClient {
    const { signal: already } = this.options;
    const either = already ? AbortSignal.any([already, signal]) : signal;
    // Every request in flight listens to it (up to `concurrency`, 16 by default): not a leak, past Node's warning at 10.
    if (either !== signal) setMaxListeners(0, either);
    return new KubeClient(this.config, { ...this.options, signal: either }, this.shared);
  }

  /** The most requests this client (and its copies) has in flight at once: callers that fan out use it as their bound. */
  get concurrency(): number {
    return this.pool.concurrency;
  }

  /** Closes the connections to the server (of the copies too); a later request opens new ones. */
  close(): void {
    this.pool.close();
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
    const { signal } = this.options;
    return withRetry(
      request.retry ?? this.retry,
      () =>
        this.pool.run(async () => {
          // Stopped while waiting its turn: not sent.
          signal?.throwIfAborted();
          await this.whileThrottled(request.what);
          const limitMs = request.guard?.();
          return this.once<T>(request, typeof limitMs === 'number' ? limitMs : Infinity);
        }),
      isRetryable,
      retryAfter,
      { deadline: this.deadline, signal },
    ).catch((error: unknown) => {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof TransportError) {
        // No answer because the deadline cut the wait short: say that, not "cannot reach".
        if (this.deadline !== undefined && Date.now() >= this.deadline - 100) throw new DeadlineExceededError(request.what, this.options.deadlineName);
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

  /**
   * Every item of a collection (apiVersion and kind put back on each), as one consistent snapshot: the first
   * page of 500 from etcd, the rest from the server's watch cache when it can serve it consistently, else by
   * `continue` tokens (collection-list.ts, KEP-2340).
   */
  list(path: string, what: string, labelSelector?: string): Promise<JsonObject[]> {
    return listCollection(
      (query, retry) => this.request({ method: 'GET', path, query: { labelSelector, ...query }, what, retry }),
      this.shared.cacheReads,
      () => this.request({ method: 'GET', path: '/version', what: 'read the API server\'s version', retry: SINGLE_ATTEMPT }),
    );
  }

  /** Waits while the server throttles this client (a 429's Retry-After, for every request); never past the deadline. */
  private async whileThrottled(what: string): Promise<void> {
    const waitMs = this.pool.held();
    if (waitMs === 0) return;
    if (this.deadline !== undefined && Date.now() + waitMs >= this.deadline) throw new DeadlineExceededError(what, this.options.deadlineName);
    await stoppableSleep(waitMs, this.options.signal);
  }

  private async once<T>(request: KubeRequest, limitMs: number): Promise<T> {
    const query = new URLSearchParams();
    for (const key in request.query) {
      const value = request.query[key];
      if (value !== undefined) query.append(key, value);
    }
    const path = query.size === 0 ? request.path : `${request.path}?${query.toString()}`;
    const { headers: proven, tls, proxyAgent } = await this.shared.credentials.current();
    const headers: OutgoingHttpHeaders = { ...proven, accept: 'application/json' };
    if (this.token) headers['authorization'] = `Bearer ${await this.token()}`;
    // client-node's agent per request only through a proxy (its proxy agents); else the pool's kept-alive one.
    const agent = this.proxied && proxyAgent ? proxyAgent : this.pool.agent();
    const json = request.body === undefined ? undefined : JSON.stringify(request.body);
    const payload = json !== undefined && request.contentType === APPLY_PATCH ? yamlSafeJson(json) : json;
    if (payload !== undefined) {
      headers['content-type'] = request.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const timeoutMs = Math.min(request.timeoutMs ?? this.timeoutMs, limitMs, this.deadline === undefined ? Infinity : this.deadline - Date.now());
    if (timeoutMs <= 0) throw new DeadlineExceededError(request.what, this.options.deadlineName);
    const { status, text, retryAfter: retryAfterHeader } = await send({ server: this.address, path, method: request.method, headers, payload, agent, tls, timeoutMs, signal: this.options.signal });
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      body = { message: text.slice(0, 200) };
    }
    if (status >= 200 && status < 300) return body as T;
    const error = new KubeApiError(status, body, request.what, retryAfterHeader);
    const waitMs = retryAfter(error);
    if (waitMs !== undefined) this.pool.holdUntil(Date.now() + Math.min(waitMs, MAX_RETRY_AFTER_MS));
    throw error;
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

/**
 * Runs a kubeconfig load; a YAML error says where (line, column) and why, never the file's lines: js-yaml's
 * message (YAMLException, as client-node uses it) quotes the lines around the error, tokens and keys included.
 */
export function loadKubeconfig(load: () => void): void {
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
