import http, { type Agent, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { ResponseTooLargeError, TransportError } from './kube-errors.ts';

/** The largest answer read from an API server (bytes): a server must not be able to exhaust this process's memory. */
export const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** TLS options of a request (node:tls connect options), as @kubernetes/client-node reads them from a kubeconfig. */
export type TlsOptions = Pick<https.RequestOptions, 'ca' | 'cert' | 'key' | 'pfx' | 'passphrase' | 'rejectUnauthorized' | 'servername'>;

/** An API server's address, parsed once per client: requests then skip URL parsing. */
export interface ServerAddress {
  secure: boolean;
  hostname: string;
  port: string;
  /** A path the server's URL has before /api (a proxy's), without a trailing slash; usually ''. */
  basePath: string;
}

/** `https://[::1]:6443/prefix/` -> { secure, hostname: '::1', port: '6443', basePath: '/prefix' }. */
export function serverAddress(url: string): ServerAddress {
  const parsed = new URL(url);
  return { secure: parsed.protocol !== 'http:', hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: parsed.port, basePath: parsed.pathname.replace(/\/+$/, '') };
}

export interface Exchange {
  server: ServerAddress;
  /** The request's path from /api or /apis on, with its query string. */
  path: string;
  method: string;
  headers: OutgoingHttpHeaders;
  payload: string | undefined;
  agent: Agent | undefined;
  tls: TlsOptions;
  /** The whole exchange, waiting for a free connection included, in ms. */
  timeoutMs: number;
  /** The largest answer accepted, in bytes (default MAX_RESPONSE_BYTES). */
  maxBytes?: number;
  /** Stops the exchange: its socket is destroyed (not given back to the agent) and `signal.reason` thrown. */
  signal?: AbortSignal | undefined;
}

export interface Answer {
  status: number;
  text: string;
  /** The `Retry-After` header, as sent. */
  retryAfter: string | undefined;
}

/** For a socket's errors once its exchange has ended (stop, tooLarge): heard, so none becomes an uncaught exception. */
function ignore(): void {}

/**
 * One HTTP exchange; no answer within the timeout, or no connection at all, is a TransportError. The
 * timeout counts from the call, so time spent waiting for one of the agent's connections counts too: an
 * attempt capped by a Lease's validity cannot land after it. An answer larger than `maxBytes` (by its
 * Content-Length, or as it arrives) is cut off: a ResponseTooLargeError naming the request, never retried.
 * An aborted `signal` ends it at once, sent or not, with the signal's reason.
 */
export function send(exchange: Exchange): Promise<Answer> {
  const { server, path, method, headers, payload, agent, tls, timeoutMs, maxBytes = MAX_RESPONSE_BYTES, signal } = exchange;
  const { secure, hostname, port, basePath } = server;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    // Whichever way the exchange ends, its timer and abort listener go: neither keeps the process busy after it.
    const ended = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    };
    const options = { protocol: secure ? 'https:' : 'http:', hostname, port, path: basePath + path, method, headers, agent, ...tls };
    // Looked up at call time (not a named import), so interceptors such as nock's see the requests.
    const req = (secure ? https.request : http.request)(options, (response) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      const tooLarge = () => {
        ended();
        reject(new ResponseTooLargeError(`${method} ${path.split('?')[0]}`, maxBytes));
        req.socket?.on('error', ignore);
        req.destroy();
      };
      if (Number(response.headers['content-length']) > maxBytes) return tooLarge();
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxBytes) return tooLarge();
        chunks.push(chunk);
      });
      const header = response.headers['retry-after'];
      response.on('end', () => {
        ended();
        resolve({ status: response.statusCode ?? 0, text: (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8'), retryAfter: Array.isArray(header) ? header[0] : header });
      });
      response.on('error', (error) => {
        ended();
        reject(new TransportError(error.message));
      });
    });
    const timer = setTimeout(() => req.destroy(new TransportError(`no answer within ${Math.ceil(timeoutMs / 100) / 10} s`)), timeoutMs);
    const stop = () => {
      ended();
      reject(signal!.reason);
      // A TLS socket destroyed while it writes reports `write ECANCELED` after the request let go of it: unheard,
      // that error is the process's uncaught exception. The exchange has ended: nothing is left to tell it to.
      req.socket?.on('error', ignore);
      req.destroy();
    };
    signal?.addEventListener('abort', stop, { once: true });
    req.on('error', (error) => {
      ended();
      reject(error instanceof TransportError ? error : new TransportError((error as NodeJS.ErrnoException).code ?? error.message));
    });
    req.end(payload);
  });
}
