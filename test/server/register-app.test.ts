/**
 * `npm start` without an App: probot's manifest flow, served in-process, posts app.yml with the user's
 * webhook URL, and writes the credentials GitHub gives for the code to .env. GitHub is nock.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { after, before, test } from 'node:test';
import { load } from 'js-yaml';
import nock from 'nock';
import { registrationWebhookUrl, startRegistration } from '../../src/server/register-app.ts';
import { checkServerSettings } from '../../src/server/server-settings.ts';
import { PRIVATE_KEY } from '../support/fake-github.ts';
import { freePort } from '../support/free-port.ts';

const WEBHOOK_URL = 'https://fsm-gitops.acme.example/api/github/webhooks';
let dir: string;

before(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/);
  dir = mkdtempSync(join(tmpdir(), 'fsm-gitops-register-'));
});
after(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  rmSync(dir, { recursive: true, force: true });
});


test('the registration page posts app.yml with the webhook URL from the settings; the code exchange writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to .env', async () => {
  const envFile = join(dir, '.env');
  writeFileSync(envFile, readFileSync('.env.example', 'utf8'));
  const port = await freePort();
  const previousProxy = process.env['WEBHOOK_PROXY_URL'];
  const server = await startRegistration({ webhookUrl: WEBHOOK_URL, env: { PORT: String(port), LOG_LEVEL: 'warn' }, envFile });
  try {
    const page = await (await fetch(`http://localhost:${port}/probot`)).text();
    const posted = /<form action="([^"]+)" method="post"[\s\S]*?name="manifest" id="manifest" value='([^']*)'/.exec(page);
    assert.ok(posted, 'the page holds a form that posts the manifest');
    assert.equal(posted[1], 'https://github.com/settings/apps/new');
    const manifest = JSON.parse(posted[2]!) as Record<string, unknown>;
    const appYml = load(readFileSync('app.yml', 'utf8')) as Record<string, unknown>;
    assert.deepEqual(manifest['hook_attributes'], { url: WEBHOOK_URL });
    assert.ok(!posted[2]!.includes('example.com'), 'no placeholder URL reaches GitHub');
    assert.deepEqual(manifest['default_permissions'], appYml['default_permissions']);
    assert.deepEqual(manifest['default_events'], appYml['default_events']);
    assert.equal(manifest['public'], false);
    assert.equal(manifest['redirect_url'], `http://localhost:${port}/probot/setup`);

    // GitHub sends the browser back with a code; probot exchanges it for the App's credentials.
    const exchange = nock('https://api.github.com')
      .post('/app-manifests/code-from-github/conversions')
      .reply(201, { id: 424242, slug: 'fsm-gitops-acme', client_id: 'Iv1.abc', client_secret: 'oauth-secret', webhook_secret: 'hook-secret', pem: PRIVATE_KEY, html_url: 'https://github.com/apps/fsm-gitops-acme' });
    const back = await fetch(`http://localhost:${port}/probot/setup?code=code-from-github`, { redirect: 'manual' });
    assert.ok(exchange.isDone());
    assert.equal(back.status, 302);
    assert.equal(back.headers.get('location'), 'https://github.com/apps/fsm-gitops-acme/installations/new');

    const written = readFileSync(envFile, 'utf8');
    const env = parseEnv(written);
    assert.equal(env['APP_ID'], '424242');
    assert.equal(env['WEBHOOK_SECRET'], 'hook-secret');
    assert.equal(env['PRIVATE_KEY'], PRIVATE_KEY, 'the key reads back as the PEM GitHub gave');
    assert.equal(env['GITHUB_CLIENT_SECRET'], undefined, 'the OAuth secret the app does not use is not kept');
    assert.match(written, /^# The GitHub App's id/m, 'the comments of .env stay');
    assert.equal(written.match(/^APP_ID=/gm)?.length, 1, 'APP_ID replaced, not added twice');
    assert.equal(statSync(envFile).mode & 0o777, 0o600, '.env holds a private key: its owner only');
    // The next `npm start` finds the App's settings complete (the clusters are a separate step).
    const check = await checkServerSettings({ ...env, FSM_GITOPS_CLUSTERS_FILE: '', FSM_GITOPS_CLUSTERS: '{"clusters":{}}' });
    assert.deepEqual([check.mode, check.problems], ['serve', []]);
  } finally {
    await server.stop();
    if (previousProxy === undefined) delete process.env['WEBHOOK_PROXY_URL'];
    else process.env['WEBHOOK_PROXY_URL'] = previousProxy;
  }
});

test('the webhook URL comes from WEBHOOK_URL, else WEBHOOK_PROXY_URL; without one, one line says what to set', () => {
  assert.deepEqual(registrationWebhookUrl({ WEBHOOK_URL: WEBHOOK_URL }), { url: WEBHOOK_URL });
  assert.deepEqual(registrationWebhookUrl({ WEBHOOK_PROXY_URL: 'https://smee.io/abc123' }), { url: 'https://smee.io/abc123' });
  assert.match((registrationWebhookUrl({}) as { problem: string }).problem, /^WEBHOOK_URL is not set: .*https URL GitHub will send webhooks to/);
  assert.match((registrationWebhookUrl({ WEBHOOK_URL: 'fsm.acme.example' }) as { problem: string }).problem, /^WEBHOOK_URL: "fsm\.acme\.example" is not a URL/);
  assert.match((registrationWebhookUrl({ WEBHOOK_URL: "https://x.example/a'b" }) as { problem: string }).problem, /is not an http\(s\) URL/);
  assert.match((registrationWebhookUrl({ WEBHOOK_URL: 'https://x.example/hooks' }) as { warning: string }).warning, /its path \/hooks is not \/api\/github\/webhooks/);
});
