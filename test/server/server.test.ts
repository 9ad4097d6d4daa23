import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PRIVATE_KEY } from '../support/fake-github.ts';
import { freePort } from '../support/free-port.ts';

const SECRET = 'test-webhook-secret';
let server: ChildProcess;
let port: number;
let dir: string;

before(async () => {
  port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'fsm-gitops-server-'));
  writeFileSync(join(dir, 'key.pem'), PRIVATE_KEY);
  server = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: { PATH: process.env['PATH'], APP_ID: '1', PRIVATE_KEY_PATH: join(dir, 'key.pem'), WEBHOOK_SECRET: SECRET, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error('the server did not start within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
});
after(() => {
  server.kill();
  rmSync(dir, { recursive: true, force: true });
});

function deliver(body: string, signature: string | undefined): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'd-1' };
  if (signature) headers['x-hub-signature-256'] = signature;
  return fetch(`http://127.0.0.1:${port}/api/github/webhooks`, { method: 'POST', headers, body });
}

test('npm start serves the app: a delivery with a valid signature is accepted', async () => {
  const body = JSON.stringify({ zen: 'Design for failure.', hook_id: 1 });
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  assert.equal((await deliver(body, signature)).status, 202);
});

test('a forged or missing signature is refused before anything else happens', async () => {
  const body = JSON.stringify({ zen: 'x', hook_id: 1 });
  const forged = `sha256=${createHmac('sha256', 'not-the-secret').update(body).digest('hex')}`;
  assert.equal((await deliver(body, forged)).status, 401);
  assert.equal((await deliver(body, undefined)).status, 401);
});
