#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { createProbot } from 'probot';
import { settingsFromEnv } from '../github/app-context.ts';
import { appDependencies } from '../github/app.ts';
import { AppOctokit } from '../github/app-octokit.ts';
import { createAppLog, logLevelFromEnv } from '../github/app-log.ts';
import { checkEveryRepository } from '../github/drift-run.ts';
import { handleEvent } from '../github/handle-event.ts';
import type { Octokit } from '../github/octokit.ts';
import { ClusterConnector } from '../kube/credentials/cluster-credentials.ts';
import { InProcessQueue } from '../queue/in-process-queue.ts';
import { maxBodyBytesFromEnv } from '../queue/intake.ts';
import { exitOnUncaughtErrors, rememberLogSecrets, writeLogLine } from '../redact/redacting-log.ts';
import { LiveSources } from '../workflow/live-sources.ts';
import { startRegistration } from './register-app.ts';
import { checkServerSettings } from './server-settings.ts';
import { DriftSchedule, driftIntervalMinutes } from './drift-schedule.ts';
import { createWebhookServer } from './webhook-server.ts';

// `npm start`: the app as a Node server, for self-hosting. Settings come from the environment or .env
// (.env.example documents each). A wrong or missing setting is one line naming it, and exit 1.
// Every line, probot's included, is written redacted (src/redact/redacting-log.ts).
exitOnUncaughtErrors('fsm-gitops: stopped');
const say = (line: string) => writeLogLine(`fsm-gitops: ${line}`, 'stderr');
if (existsSync('.env')) process.loadEnvFile('.env');
rememberLogSecrets([process.env['WEBHOOK_SECRET'], process.env['PRIVATE_KEY']]);
const check = await checkServerSettings(process.env);
for (const warning of check.warnings) say(`warning: ${warning}`);
if (check.problems.length > 0) {
  for (const problem of check.problems) say(problem);
  say(`not started: ${check.problems.length} setting(s) to fix (.env.example says what each is)`);
  process.exit(1);
}
const log = createAppLog(logLevelFromEnv(process.env));
const live = new LiveSources(new ClusterConnector(check.clusters));
const settings = settingsFromEnv(process.env);

if (check.mode === 'register') {
  // Not registered yet: probot's manifest flow registers the App from app.yml at http://localhost:PORT.
  await startRegistration({ webhookUrl: check.webhookUrl!, env: process.env, log });
} else {
  const probot = createProbot({ overrides: { log, Octokit: AppOctokit } });
  const deps = appDependencies(probot, { live, settings });
  // One JSON line per delivery and attempt (src/queue/delivery-log.ts), never the payload.
  const queue = new InProcessQueue(async (event, attempt) => handleEvent(event, (await probot.auth(event.installation)) as Octokit, deps, probot.log, attempt));
  const secret = process.env['WEBHOOK_SECRET']!;
  const server = createWebhookServer({ secret, queue, path: process.env['WEBHOOK_PATH'], limits: { maxBodyBytes: maxBodyBytesFromEnv(process.env) } });
  const port = Number(process.env['PORT'] ?? 3000);
  server.listen(port, process.env['HOST'] ?? '0.0.0.0', () => probot.log.info(`fsm-gitops listening on port ${port}`));
  // The drift check, as the Lambda deployment's schedule runs it (docs/deploy.md, "Running it yourself instead").
  const drift = new DriftSchedule(async (runEnd) => checkEveryRepository(probot, live, await deps.identity(), runEnd), driftIntervalMinutes(process.env));
  drift.start();
  process.once('SIGTERM', () => {
    server.close();
    drift.stop();
    void queue.drained().then(() => process.exit(0));
  });
}
