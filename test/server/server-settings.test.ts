import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseEnv, promisify } from 'node:util';
import { MASK } from '../../src/redact/mask.ts';
import { checkServerSettings } from '../../src/server/server-settings.ts';
import { CREDENTIAL_SHAPES } from '../support/credential-shapes.ts';

/** .env.example as README says to use it: `cp .env.example .env`. */
const EXAMPLE = parseEnv(readFileSync('.env.example', 'utf8'));

test('npm start with .env.example and an App id: one line per setting to fix, exit 1, no stack trace', async () => {
  const env = { PATH: process.env['PATH'], ...EXAMPLE, APP_ID: '123' };
  const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], { env, timeout: 60_000 }).then(
    () => assert.fail('the server started'),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(run.code, 1);
  assert.deepEqual(run.stderr.trim().split('\n'), [
    'fsm-gitops: FSM_GITOPS_CLUSTERS_FILE: ./clusters.yml does not exist: write it as docs/clusters.md shows (how the app reaches each cluster), or set FSM_GITOPS_CLUSTERS instead',
    "fsm-gitops: PRIVATE_KEY_PATH: ./fsm-gitops.private-key.pem does not exist: generate a private key in the App's settings (Private keys) and point PRIVATE_KEY_PATH at the .pem file",
    'fsm-gitops: WEBHOOK_SECRET is not set: set it to the webhook secret of the App (every delivery is checked against it)',
    'fsm-gitops: not started: 3 setting(s) to fix (.env.example says what each is)',
  ]);
});

test('npm start\'s startup errors mask the credentials a setting echoes, of every shape', async () => {
  const echoed = ['APP_ID', 'PORT', 'MAX_ENVIRONMENTS_PER_REVIEW', 'WEBHOOK_MAX_BODY_BYTES', 'FSM_GITOPS_CLUSTERS_FILE', 'PRIVATE_KEY_PATH'];
  for (let from = 0; from < CREDENTIAL_SHAPES.length; from += echoed.length) {
    const shapes = CREDENTIAL_SHAPES.slice(from, from + echoed.length);
    const env = { PATH: process.env['PATH'], ...Object.fromEntries(shapes.map(({ value }, i) => [echoed[i]!, value])) };
    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], { env, timeout: 60_000 }).then(
      () => assert.fail('the server started'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(run.code, 1);
    for (const { shape, secret } of shapes) assert.ok(!run.stderr.includes(secret), `${shape} printed:\n${run.stderr}`);
    assert.equal(run.stderr.split(MASK).length - 1 >= shapes.length, true, run.stderr);
  }
});

test('each setting is checked the way the app uses it', async () => {
  const problems = async (env: Record<string, string>) => (await checkServerSettings({ APP_ID: '1', PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\\nx', WEBHOOK_SECRET: 's', ...env })).problems;
  assert.deepEqual(await problems({}), []);
  assert.deepEqual(await problems({ APP_ID: 'my-app' }), ['APP_ID: "my-app" is not an App id: copy the number from the App\'s settings (General → App ID)']);
  assert.deepEqual(await problems({ PRIVATE_KEY: 'abc' }), ['PRIVATE_KEY: not a PEM private key: use the .pem file GitHub gave for the App']);
  assert.deepEqual(await problems({ PRIVATE_KEY: '' }), ["PRIVATE_KEY and PRIVATE_KEY_PATH are not set: generate a private key in the App's settings (Private keys) and set PRIVATE_KEY_PATH to the .pem file"]);
  assert.match((await problems({ PORT: '80a' }))[0]!, /^PORT: "80a" is not a port number/);
  assert.match((await problems({ MAX_ENVIRONMENTS_PER_REVIEW: '0' }))[0]!, /^MAX_ENVIRONMENTS_PER_REVIEW must be a whole number/);
  assert.deepEqual(await problems({ WEBHOOK_MAX_BODY_BYTES: '1MB' }), ['WEBHOOK_MAX_BODY_BYTES: "1MB" is not a number of bytes of at least 1024: set it (default 1048576) or unset it']);
  assert.deepEqual(await problems({ WEBHOOK_MAX_BODY_BYTES: '2097152' }), []);
  assert.deepEqual(await problems({ DRIFT_INTERVAL_MINUTES: 'hourly' }), ['DRIFT_INTERVAL_MINUTES: "hourly" is not a number of minutes from 5 to 1440 (or 0 for no drift check): fix it in .env or unset it (default 60)']);
  assert.deepEqual(await problems({ DRIFT_INTERVAL_MINUTES: '0' }), []);
  assert.match((await problems({ FSM_GITOPS_CLUSTERS: 'clusters: [' }))[0]!, /^FSM_GITOPS_CLUSTERS: .*docs\/clusters\.md/);
});

test('without an App id (registration through the manifest flow), the other settings\' problems are warnings', async () => {
  const check = await checkServerSettings({ ...EXAMPLE, WEBHOOK_URL: 'https://fsm.acme.example/api/github/webhooks' });
  assert.equal(check.mode, 'register');
  assert.deepEqual(check.problems, []);
  assert.equal(check.webhookUrl, 'https://fsm.acme.example/api/github/webhooks');
  assert.match(check.warnings.join('\n'), /^FSM_GITOPS_CLUSTERS_FILE: \.\/clusters\.yml does not exist/);
  const production = await checkServerSettings({ ...EXAMPLE, WEBHOOK_URL: 'https://fsm.acme.example/api/github/webhooks', NODE_ENV: 'production' });
  assert.deepEqual(production.problems, ['APP_ID is not set: register the App first (npm start without NODE_ENV=production serves the registration page, docs/github-app.md), or set APP_ID']);
});

test('npm start without an App id and without a webhook URL: one line saying to set WEBHOOK_URL, exit 1, nothing registered', async () => {
  const env = { PATH: process.env['PATH'], ...EXAMPLE };
  const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], { env, timeout: 60_000 }).then(
    () => assert.fail('the server started'),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(run.code, 1);
  const lines = run.stderr.trim().split('\n');
  assert.deepEqual(lines.slice(-2), [
    "fsm-gitops: WEBHOOK_URL is not set: registering the App needs the https URL GitHub will send webhooks to (this server's public address and /api/github/webhooks), or WEBHOOK_PROXY_URL set to a smee.io channel (docs/github-app.md)",
    'fsm-gitops: not started: 1 setting(s) to fix (.env.example says what each is)',
  ]);
  assert.ok(lines.every((line) => line.startsWith('fsm-gitops: ')), run.stderr);
});
