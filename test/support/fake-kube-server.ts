import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { KubeRequest } from '../../src/kube/kube-client.ts';
import { answerHttp, type FakeKube } from './fake-kube.ts';

const TLS = new URL('../fixtures/tls/', import.meta.url);
/** A self-signed certificate for 127.0.0.1 (test/fixtures/tls/README.md), the CA the kubeconfig trusts. */
const CERTIFICATE = readFileSync(new URL('localhost.crt', TLS));

/**
 * A FakeKube served over real HTTPS on loopback, so a KubeClient's connections can be counted: TLS
 * handshakes (`connections`), and connections still open (`open`). Requests are recorded in the fake; those
 * `hang` picks are recorded and never answered (an API server that hangs).
 */
export class FakeKubeServer {
  connections = 0;
  private readonly sockets = new Set<Socket>();
  private readonly closing: Promise<void>[] = [];
  /** Answers `delayMs` late (a slow server, so requests overlap). */
  delayMs = 0;
  /** Each request's Authorization header, in order of arrival. */
  readonly authorizations: string[] = [];
  /** Requests never answered (recorded in the fake all the same). */
  hang: (method: string, path: string) => boolean = () => false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(fake: FakeKube): Promise<FakeKubeServer> {
    let self: FakeKubeServer | undefined;
    const server = createServer({ cert: CERTIFICATE, key: readFileSync(new URL('localhost.key', TLS)) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        self?.authorizations.push(req.headers.authorization ?? '');
        const url = new URL(req.url ?? '/', 'https://127.0.0.1');
        if (self?.hang(req.method ?? 'GET', decodeURIComponent(url.pathname))) {
          fake.requests.push({ method: (req.method ?? 'GET') as KubeRequest['method'], path: decodeURIComponent(url.pathname), what: 'hung' });
          return;
        }
        const { status, body, headers } = answerHttp(fake, (req.method ?? 'GET') as KubeRequest['method'], url, Buffer.concat(chunks).toString('utf8'), req.headers['content-type']);
        setTimeout(() => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body)), self?.delayMs ?? 0);
      });
    });
    server.on('secureConnection', (socket: Socket) => {
      self!.connections++;
      self!.sockets.add(socket);
      self!.closing.push(new Promise((resolve) => socket.on('close', () => (self!.sockets.delete(socket), resolve()))));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new FakeKubeServer(server, `https://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  /** Connections open now. */
  get open(): number {
    return this.sockets.size;
  }

  /** Resolves once no connection is open (never, while a client keeps one open). */
  async allClosed(): Promise<void> {
    while (this.sockets.size > 0) await Promise.all(this.closing);
  }

  /** A kubeconfig for this server (context `fake`, a bearer token, the server's certificate as its CA). */
  kubeconfig(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: fake, cluster: { server: "${this.url}", certificate-authority-data: ${CERTIFICATE.toString('base64')} } }]`,
      'users: [{ name: u, user: { token: t } }]',
      'contexts: [{ name: fake, context: { cluster: fake, user: u } }]',
      'current-context: fake',
      '',
    ].join('\n');
  }

  async writeKubeconfig(path: string): Promise<string> {
    await writeFile(path, this.kubeconfig());
    return path;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
