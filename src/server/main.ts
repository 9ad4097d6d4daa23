#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { createProbot, run } from 'probot';
import { fsmGitopsApp } from '../github/app.ts';
import { ClusterConnector } from '../kube/credentials/cluster-credentials.ts';
import { clusterSettingsFromEnv } from '../kube/credentials/cluster-settings.ts';
import { InProcessQueue } from '../queue/in-process-queue.ts';
import { LiveSources } from '../workflow/live-sources.ts';
import { createWebhookServer } from './webhook-server.ts';

// `npm start`: the app as a Node server, for self-hosting. Settings come from the environment or .env
// (.env.example documents each).
if (existsSync('.env')) process.loadEnvFile('.env');
const app = fsmGitopsApp({ live: new LiveSources(new ClusterConnector(await clusterSettingsFromEnv(process.env))) });

if (!process.env['APP_ID']) {
  // Not registered yet: probot's setup flow creates the GitHub App from app.yml at http://localhost:3000.
  await run(app);
} else {
  const probot = createProbot();
  await probot.load(app);
  const queue = new InProcessQueue((event) => probot.receive({ id: event.id, name: event.name, payload: JSON.parse(event.payload) } as never), {
    log: (level, message) => probot.log[level](message),
  });
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
