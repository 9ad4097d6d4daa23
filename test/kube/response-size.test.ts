import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { MAX_RESPONSE_BYTES, send, serverAddress } from '../../src/kube/http-exchange.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { ResponseTooLargeError } from '../../src/kube/kube-errors.ts';
import { tokenKubeconfig } from '../support/token-kubeconfig.ts';

// A plain-HTTP server on loopback (no nock): it answers each path with that many bytes, streamed in 64 KiB
// chunks without a Content-Length, or declares a huge Content-Length and sends little.
let server: Server;
let base: string;
let requests = 0;
let streamed = 0;

before(async () => {
  server = createServer((req, res) => {
    requests++;
    if (req.url === '/declared') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_RESPONSE_BYTES + 1) }).write('{');
      return;
    }
    const size = Number(req.url?.slice(1));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    res.writeHead(200, { 'content-type': 'application/json' });
    let sent = 0;
    const pump = (): void => {
      while (sent < size) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        streamed += part.length;
        if (!res.write(part)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => (sent = size + 1));
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const exchange = (path: string, maxBytes: number) => send({ server: serverAddress(base), path, method: 'GET', headers: {}, payload: undefined, agent: undefined, tls: {}, timeoutMs: 10_000, maxBytes });

test('an answer up to the bound is read whole', async () => {
  const answer = await exchange('/300000', 300_000);
  assert.equal(answer.text.length, 300_000);
});

test('an answer past the bound is cut off as it streams: an error naming the request, not the whole body read', async () => {
  streamed = 0;
  const error = await exchange('/50000000', 1024 * 1024).catch((e: unknown) => e);
  assert.ok(error instanceof ResponseTooLargeError, String(error));
  assert.equal(error.message, "GET /50000000: the API server's answer is larger than 1 MiB, the most fsm-gitops reads from it; not read further");
  assert.ok(streamed < 20_000_000, `the server got to send ${streamed} bytes`);
});

test('the default bound is 256 MiB; a larger Content-Length fails at once, through KubeClient, without a retry', async () => {
  assert.equal(MAX_RESPONSE_BYTES, 256 * 1024 * 1024);
  const client = KubeClient.fromString(tokenKubeconfig(base), undefined, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
  requests = 0;
  await assert.rejects(client.request({ method: 'GET', path: '/declared', what: 'list Plugin' }), (e: unknown) => e instanceof ResponseTooLargeError && /^GET \/declared: .* larger than 256 MiB/.test(e.message));
  assert.equal(requests, 1, 'not retried');
  client.close();
});
