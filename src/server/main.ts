#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { createProbot, run } from 'probot';
import { settingsFromEnv } from '../github/app-context.ts';
import { appDependencies, fsmGitopsApp } from '../github/app.ts';
import { handleEvent } from '../github/handle-event.ts';
import type { Octokit } from '../github/octokit.ts';
import { ClusterConnector } from '../kube/credentials/cluster-credentials.ts';
import { clusterSettingsFromEnv } from '../kube/credentials/cluster-settings.ts';
import { InProcessQueue } from '../queue/in-process-queue.ts';
import { LiveSources } from '../workflow/live-sources.ts';
import { createWebhookServer } from './webhook-server.ts';

// `npm start`: the app as a Node server, for self-hosting. Settings come from the environment or .env
// (.env.example documents each).
if (existsSync('.env')) process.loadEnvFile('.env');
const live = new LiveSources(new ClusterConnector(await clusterSettingsFromEnv(process.env)));
const settings = settingsFromEnv(process.env);

if (!process.env['APP_ID']) {
  // Not registered yet: probot's setup flow creates the GitHub App from app.yml at http://localhost:3000.
  await run(fsmGitopsApp({ live, settings }));
} else {
  const probot = createProbot();
  const deps = appDependencies(probot, { live, settings });
  // One JSON line per delivery and attempt (src/queue/delivery-log.ts), never the payload.
  const queue = new InProcessQueue(async (event) => handleEvent(event, (await probot.auth(event.installation)) as Octokit, deps, probot.log));
  const secret = process.env['WEBHOOK_SECRET'];
  if (!secret) throw new Error('WEBHOOK_SECRET is not set: every delivery is checked against it');
  const server = createWebhookServer({ secret, queue, path: process.env['WEBHOOK_PATH'] });
  const port = Number(process.env['PORT'] ?? 3000);
  server.listen(port, process.env['HOST'] ?? '0.0.0.0', () => probot.log.info(`fsm-gitops listening on port ${port}`));
  process.once('SIGTERM', () => {
    server.close();
    void queue.drained().then(() => process.exit(0));
  });
}
