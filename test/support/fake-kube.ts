/**
 * An in-memory API server for unit tests: objects by path, resourceVersions, optimistic concurrency
 * (PUT, apply PATCH and DELETE preconditions answer 409 on a stale resourceVersion), creates answering
 * 409 when the object exists, a server-side apply creating a missing object whatever resourceVersion it
 * carries (as kube-apiserver does), and a fault hook per request. Usable directly as a KubeApi, or behind a
 * real KubeClient: through nock (fake-kube-nock.ts) or over real HTTPS (fake-kube-server.ts). This file
 * loads no nock: nock's interception closes every connection after its request, which hides keep-alive.
 */
import { isObject, type JsonObject, type JsonValue } from '../../src/core/json.ts';
import { KubeClient, type KubeApi, type KubeClientOptions, type KubeRequest } from '../../src/kube/kube-client.ts';
import { KubeApiError } from '../../src/kube/kube-errors.ts';
import { APPLY_PATCH } from '../../src/kube/yaml-safe-json.ts';

/**
 * What the fault hook does with a request: `pass` handles it; `lost-answer` handles it, then answers 500
 * (the write went through, its answer did not); an Error is thrown instead, nothing handled.
 */
export type Answer = 'pass' | 'lost-answer' | Error;

export function apiError(status: number, what = 'request', reason?: string): KubeApiError {
  return new KubeApiError(status, { kind: 'Status', message: `injected ${status}`, ...(reason ? { reason } : {}) }, what);
}

/** Shared by all fakes, so two clients of one store never hand out the same version. */
let version = 100;

export class FakeKube implements KubeApi {
  /** Every request, in order, as received (after its guard passed). */
  readonly requests: KubeRequest[] = [];
  fault: (request: KubeRequest) => Answer = () => 'pass';
  /** How many times a request's guard was run. */
  guardCalls = 0;

  /** `objects`: another FakeKube's, for a second client of the same server. */
  constructor(
    readonly server = 'https://fake.test',
    readonly objects = new Map<string, JsonObject>(),
  ) {}

  /** The requests that change something (no GETs, no dry runs). */
  get writes(): KubeRequest[] {
    return this.requests.filter((r) => r.method !== 'GET' && r.query?.['dryRun'] === undefined);
  }

  /** Stores an object at `path` with a fresh resourceVersion (unless it has one); returns the copy stored. */
  seed(path: string, object: JsonObject): JsonObject {
    const stored = structuredClone(object);
    const metadata = isObject(stored['metadata']) ? stored['metadata'] : (stored['metadata'] = {});
    if (typeof metadata['resourceVersion'] !== 'string') metadata['resourceVersion'] = this.nextVersion();
    this.objects.set(path, stored);
    return structuredClone(stored);
  }

  read(path: string): JsonObject | undefined {
    const object = this.objects.get(path);
    return object ? structuredClone(object) : undefined;
  }

  async request<T = JsonObject>(request: KubeRequest): Promise<T> {
    if (request.guard) {
      this.guardCalls++;
      request.guard();
    }
    this.requests.push(request);
    const answer = this.fault(request);
    if (answer instanceof Error) throw answer;
    const result = this.handle(request);
    if (answer === 'lost-answer') throw apiError(500, request.what);
    return result as unknown as T;
  }

  async get(path: string, what: string): Promise<JsonObject | undefined> {
    try {
      return await this.request({ method: 'GET', path, what });
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async list(path: string, what: string, labelSelector?: string): Promise<JsonObject[]> {
    const page = await this.request({ method: 'GET', path, query: { labelSelector, limit: '500' }, what });
    return Array.isArray(page['items']) ? page['items'].filter(isObject) : [];
  }

  /** Handles a request as an API server would, or throws the KubeApiError it would answer. */
  handle(request: KubeRequest): JsonObject {
    const { method, path, what } = request;
    const body = isObject(request.body) ? structuredClone(request.body) : {};
    const existing = this.objects.get(path);
    switch (method) {
      case 'GET':
        if (request.query?.['limit'] !== undefined) return this.listing(path, request.query['labelSelector']);
        if (!existing) throw apiError(404, what, 'NotFound');
        return structuredClone(existing);
      case 'POST': {
        const name = String((body['metadata'] as JsonObject | undefined)?.['name'] ?? '');
        const target = `${path}/${name}`;
        if (this.objects.has(target)) throw apiError(409, what, 'AlreadyExists');
        return this.store(target, body);
      }
      case 'PUT':
        if (!existing) throw apiError(404, what, 'NotFound');
        this.precondition(existing, versionOf(body), what);
        return this.store(path, body);
      case 'PATCH': {
        this.precondition(existing, versionOf(body), what);
        // A server-side apply creates what is missing, ignoring a resourceVersion; other patches need the object.
        if (!existing && request.contentType !== APPLY_PATCH) throw apiError(404, what, 'NotFound');
        const merged = existing ? (merge(structuredClone(existing), body) as JsonObject) : body;
        if (request.query?.['dryRun'] !== undefined) return merged;
        return this.store(path, merged);
      }
      case 'DELETE': {
        if (!existing) throw apiError(404, what, 'NotFound');
        const preconditions = isObject(body['preconditions']) ? body['preconditions'] : {};
        const wanted = preconditions['resourceVersion'];
        this.precondition(existing, typeof wanted === 'string' ? wanted : undefined, what);
        this.objects.delete(path);
        return { kind: 'Status', status: 'Success' };
      }
    }
  }

  private precondition(existing: JsonObject | undefined, wanted: string | undefined, what: string): void {
    if (existing && wanted !== undefined && wanted !== '' && versionOf(existing) !== wanted) throw apiError(409, what, 'Conflict');
  }

  private store(path: string, object: JsonObject): JsonObject {
    const metadata = isObject(object['metadata']) ? object['metadata'] : (object['metadata'] = {});
    metadata['resourceVersion'] = this.nextVersion();
    this.objects.set(path, object);
    return structuredClone(object);
  }

  private nextVersion(): string {
    return String(++version);
  }

  /** Objects directly under a collection path, or in any namespace for `/apis/g/v/plural`; `a=b,c=d` selectors. */
  private listing(path: string, labelSelector: string | undefined): JsonObject {
    const slash = path.lastIndexOf('/');
    const [base, plural] = [path.slice(0, slash), path.slice(slash + 1)];
    const anyNamespace = new RegExp(`^${escape(base)}/namespaces/[^/]+/${escape(plural)}/[^/]+$`);
    const wanted = (labelSelector ?? '').split(',').filter(Boolean).map((term) => term.split('=') as [string, string]);
    const items = [...this.objects.entries()]
      .filter(([key]) => key.slice(0, key.lastIndexOf('/')) === path || anyNamespace.test(key))
      .map(([, object]) => structuredClone(object))
      .filter((object) => {
        const labels = isObject(object['metadata']) && isObject(object['metadata']['labels']) ? object['metadata']['labels'] : {};
        return wanted.every(([key, value]) => labels[key] === value);
      });
    return { kind: 'List', apiVersion: 'v1', metadata: {}, items };
  }
}

/**
 * What `fake` answers an HTTP request (its fault hook first; `contentType` tells a server-side apply from
 * other patches): the status, the JSON body and headers (a KubeApiError's Retry-After). Records the request
 * in `fake.requests`.
 */
export function answerHttp(fake: FakeKube, method: KubeRequest['method'], url: URL, text: string, contentType: string | undefined): { status: number; body: JsonObject; headers: Record<string, string> } {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  const body: unknown = text === '' ? undefined : JSON.parse(text);
  const request: KubeRequest = { method, path: decodeURIComponent(url.pathname), query, body, what: `${method} ${url.pathname}`, ...(contentType ? { contentType } : {}) };
  fake.requests.push(request);
  try {
    const answer = fake.fault(request);
    if (answer instanceof Error) throw answer;
    const result = fake.handle(request);
    return answer === 'lost-answer' ? { status: 500, body: { kind: 'Status', message: 'injected 500 after the write' }, headers: {} } : { status: 200, body: result, headers: {} };
  } catch (error) {
    if (!(error instanceof KubeApiError)) throw error;
    const headers: Record<string, string> = error.retryAfterMs === undefined ? {} : { 'retry-after': String(error.retryAfterMs / 1000) };
    return { status: error.status, body: { kind: 'Status', message: error.serverMessage, ...(error.reason ? { reason: error.reason } : {}) }, headers };
  }
}

function versionOf(object: JsonObject): string | undefined {
  const metadata = object['metadata'];
  return isObject(metadata) && typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : undefined;
}

/** Maps merged key by key, everything else replaced: enough of server-side apply for these tests. */
function merge(target: JsonValue, patch: JsonValue): JsonValue {
  if (!isObject(target) || !isObject(patch)) return structuredClone(patch);
  for (const [key, value] of Object.entries(patch)) target[key] = key in target ? merge(target[key]!, value) : structuredClone(value);
  return target;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A KubeClient for `server` with a bearer token, from a kubeconfig string (for nock-served tests). */
export function clientFor(server: string, options?: KubeClientOptions): KubeClient {
  return KubeClient.fromString(
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}" } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`,
    undefined,
    options,
  );
}
