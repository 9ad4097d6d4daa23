import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What a StallingKubeServer does with each request. */
export type Stall =
  /** Never answers (an API server that hangs). */
  | { kind: 'hang' }
  /**
   * Answers with `status` and a Status body; `retryAfter` (seconds) as a 503's Retry-After header. At once, or
   * once `gate` resolves (default: the server's gate). `body`, as JSON, instead of the Status (a 200's list).
   */
  | { kind: 'answer'; status: number; retryAfter?: number; gate?: Promise<void>; body?: unknown };

/** The Status reason the API server gives with these codes (k8s.io/apimachinery metav1.StatusReason). */
const REASONS: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 429: 'TooManyRequests', 503: 'ServiceUnavailable' };

/**
 * A plain-HTTP API server on loopback that fails every request as told, to see what a client does with
 * failures: every request is recorded (method and path, in order of arrival), and every connection is
 * tracked until its socket closes. `gate` holds the answers back until it resolves. `stall` is what every
 * request gets, or says it per request (`METHOD path`, without the query).
 */
export class StallingKubeServer {
  readonly requests: string[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly closed: Promise<void>[] = [];
  private readonly waiting: { count: number; resolve: () => void }[] = [];
  private firstRequest!: () => void;
  /** Resolves when the first request arrives. */
  readonly reached = new Promise<void>((resolve) => (this.firstRequest = resolve));

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(stallOf: Stall | ((request: string) => Stall), gate: Promise<void> = Promise.resolve()): Promise<StallingKubeServer> {
    const handle = (req: IncomingMessage, res: ServerResponse): void => {
      self.requests.push(`${req.method} ${req.url}`);
      self.firstRequest();
      self.tellSeen();
      req.resume();
      const stall = typeof stallOf === 'function' ? stallOf(`${req.method} ${(req.url ?? '').split('?')[0]}`) : stallOf;
      if (stall.kind === 'hang') return;
      void (stall.gate ?? gate).then(() => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (stall.retryAfter !== undefined) headers['retry-after'] = String(stall.retryAfter);
        const reason = REASONS[stall.status] ?? 'InternalError';
        res.writeHead(stall.status, headers).end(JSON.stringify(stall.body ?? { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code: stall.status, message: `answered ${stall.status}` }));
      });
    };
    const server = createServer(handle);
    server.on('connection', (socket: Socket) => {
      self.sockets.add(socket);
      self.closed.push(new Promise((resolve) => socket.on('close', () => (self.sockets.delete(socket), resolve()))));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const self = new StallingKubeServer(server, `http://127.0.0.1:${(server.address() as { port: number }).port}`);
    return self;
  }

  /** Resolves once `count` different requests (method and path with its query) have arrived. */
  seen(count: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push({ count, resolve });
      this.tellSeen();
    });
  }

  private tellSeen(): void {
    const distinct = new Set(this.requests).size;
    for (const waiter of this.waiting.filter((w) => w.count <= distinct)) {
      this.waiting.splice(this.waiting.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  /** Connections still open now. */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** Resolves once no connection is open (never, while a client keeps one open). */
  async allClosed(): Promise<void> {
    while (this.sockets.size > 0) await Promise.all(this.closed);
  }

  /**
   * Once no connection is open, and a while longer than a first retry's backoff (DEFAULT_RETRY: up to 200 ms)
   * so that a retry still pending has been sent: the requests that arrived more than once (repeated()).
   */
  async repeatedOnceQuiet(waitMs = 500): Promise<string[]> {
    await this.allClosed();
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    return this.repeated();
  }

  /** Requests that arrived more than once: a client's retries (a read sends each of its requests once). */
  repeated(): string[] {
    return [...new Set(this.requests.filter((request, i) => this.requests.indexOf(request) !== i))];
  }

  /** A kubeconfig for this server (plain HTTP, allowed by insecure-skip-tls-verify as a test server must). */
  kubeconfig(): string {
    return `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${this.url}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
