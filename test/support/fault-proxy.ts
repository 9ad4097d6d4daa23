import { writeFileSync } from 'node:fs';
import http from 'node:http';
import https, { type Agent } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { dirname } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/kube-client.ts';

/**
 * What the proxy does with one request:
 * - `pass`: forwards it and returns the answer;
 * - `500-after`: forwards it (the write happens) and answers 500 InternalError, as a server that failed
 *   after storing does;
 * - `reset`: closes the connection without forwarding (the server is gone);
 * - `hang`: forwards nothing and never answers (a frozen server).
 */
export type Fault = 'pass' | '500-after' | 'reset' | 'hang';

export interface SeenRequest {
  method: string;
  /** Path with query. */
  url: string;
  body: string;
}

/**
 * A plain-HTTP proxy on loopback in front of a test cluster's API server, with faults chosen per request.
 * It authenticates upstream with the cluster's kubeconfig; clients reach it through `kubeconfig`.
 */
export class FaultProxy {
  /** Decides each request's fault; default: pass everything. */
  fault: (request: SeenRequest) => Fault = () => 'pass';
  readonly seen: SeenRequest[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: http.Server,
    readonly kubeconfig: string,
  ) {}

  static async start(upstreamKubeconfig: string): Promise<FaultProxy> {
    const config = new KubeConfig();
    config.loadFromFile(upstreamKubeconfig);
    const upstream = new URL(config.getCurrentCluster()!.server);
    const init = await config.applyToFetchOptions({});
    const headers: Record<string, string> = {};
    for (const [key, value] of init.headers as Iterable<[string, string]>) headers[key.toLowerCase()] = value;
    const agent = init.agent as Agent;

    let proxy: FaultProxy | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const seen: SeenRequest = { method: req.method ?? 'GET', url: req.url ?? '/', body: Buffer.concat(chunks).toString('utf8') };
        proxy!.seen.push(seen);
        const fault = proxy!.fault(seen);
        if (fault === 'reset') return req.socket.destroy();
        if (fault === 'hang') return;
        const forwarded = https.request(
          new URL(seen.url, upstream),
          { method: seen.method, agent, headers: { ...headers, accept: req.headers['accept'] ?? 'application/json', ...(req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {}) } },
          (answer) => {
            const body: Buffer[] = [];
            answer.on('data', (c: Buffer) => body.push(c));
            answer.on('end', () => {
              if (fault === '500-after') {
                res.writeHead(500, { 'content-type': 'application/json' });
                res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'injected: etcdserver: request timed out', reason: 'InternalError', code: 500 }));
                return;
              }
              res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
              res.end(Buffer.concat(body));
            });
          },
        );
        forwarded.on('error', (error) => {
          res.writeHead(502);
          res.end(error.message);
        });
        forwarded.end(seen.body === '' ? undefined : seen.body);
      });
    });
    server.on('connection', (socket: Socket) => {
      proxy?.sockets.add(socket);
      socket.on('close', () => proxy?.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const kubeconfig = join(dirname(upstreamKubeconfig), `proxy-${port}.kubeconfig`);
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{ name: proxy, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]`,
        'users: [{ name: proxy, user: {} }]',
        'contexts: [{ name: proxy, context: { cluster: proxy, user: proxy } }]',
        'current-context: proxy',
        '',
      ].join('\n'),
    );
    proxy = new FaultProxy(server, kubeconfig);
    return proxy;
  }

  /** A client through the proxy (few retries, short timeouts: faults show quickly). */
  client(options: { timeoutMs?: number } = {}): KubeClient {
    return KubeClient.fromFile(this.kubeconfig, undefined, { timeoutMs: options.timeoutMs ?? 5_000, retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 } });
  }

  /** Writes (not reads, not dry runs) seen so far, as `METHOD path`. */
  writes(): string[] {
    return this.seen.filter((r) => r.method !== 'GET' && !r.url.includes('dryRun=')).map((r) => `${r.method} ${r.url.split('?')[0]}`);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
