import { KubeConfig } from '@kubernetes/client-node';
import fetch, { Headers, type RequestInit } from 'node-fetch';
import { isObject, type JsonObject } from '../core/json.ts';
import { isRetryable, KubeApiError, KubeUnreachableError, TransportError } from './kube-errors.ts';
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
}

export interface KubeClientOptions {
  retry?: RetryPolicy;
  timeoutMs?: number;
  /** A bearer token fetched before each request (and cached by the provider): EKS tokens expire. */
  token?: () => Promise<string>;
}

/** What the apply path needs of a client; tests wrap a real client to inject failures. */
export type KubeApi = Pick<KubeClient, 'server' | 'request' | 'get' | 'list'>;

/**
 * REST calls to the API server with the wire JSON left as it is. @kubernetes/client-node supplies the
 * kubeconfig handling (contexts, certificates, tokens, exec); its typed API classes are not used because
 * they deserialize known kinds into models (a CRD's `x-kubernetes-*` keys renamed, timestamps turned into
 * Dates), and the plan engine compares and validates the objects as the server sends them.
 */
export class KubeClient {
  readonly server: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly token: (() => Promise<string>) | undefined;

  constructor(
    private readonly config: KubeConfig,
    options: KubeClientOptions = {},
  ) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster: pass --context or set current-context');
    this.server = cluster.server.replace(/\/+$/, '');
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.token = options.token;
  }

  static fromFile(path: string, context?: string, options?: KubeClientOptions): KubeClient {
    const config = new KubeConfig();
    config.loadFromFile(path);
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
    config.loadFromString(kubeconfig);
    if (context) selectContext(config, context);
    return new KubeClient(config, options);
  }

  async request<T = JsonObject>(request: KubeRequest): Promise<T> {
    return withRetry(
      this.retry,
      () => this.once<T>(request),
      isRetryable,
      (error) => (error instanceof KubeApiError && error.status === 429 ? 1_000 : undefined),
    ).catch((error: unknown) => {
      if (error instanceof TransportError) throw new KubeUnreachableError(this.server, error.message);
      throw error;
    });
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

  private async once<T>(request: KubeRequest): Promise<T> {
    const url = new URL(this.server + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    const init = (await this.config.applyToFetchOptions({})) as RequestInit;
    // The kubeconfig's credentials arrive as a Headers object (Authorization), so add to it rather than copy it.
    const headers = new Headers(init.headers);
    headers.set('Accept', 'application/json');
    if (this.token) headers.set('Authorization', `Bearer ${await this.token()}`);
    if (request.body !== undefined) headers.set('Content-Type', request.contentType ?? 'application/json');
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let response;
    try {
      response = await fetch(url.toString(), {
        ...init,
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: controller.signal as RequestInit['signal'],
      });
    } catch (error) {
      const cause = (error as { code?: string }).code ?? (error as Error).message;
      throw new TransportError(controller.signal.aborted ? `no answer within ${this.timeoutMs / 1000} s` : cause);
    } finally {
      clearTimeout(timer);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      body = { message: text.slice(0, 200) };
    }
    if (!response.ok) throw new KubeApiError(response.status, body, request.what);
    return body as T;
  }
}

function selectContext(config: KubeConfig, context: string): void {
  if (!config.getContexts().some((c) => c.name === context)) {
    throw new Error(`the kubeconfig has no context "${context}"; it has: ${config.getContexts().map((c) => c.name).join(', ')}`);
  }
  config.setCurrentContext(context);
}
