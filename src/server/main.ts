#!/usr/bin/env node
import { run } from 'probot';
import { fsmGitopsApp } from '../github/app.ts';
import { ClusterConnector } from '../kube/credentials/cluster-credentials.ts';
import { clusterSettingsFromEnv } from '../kube/credentials/cluster-settings.ts';
import { LiveSources } from '../workflow/live-sources.ts';

// `npm start`: the app as a Node server. probot reads APP_ID, PRIVATE_KEY(_PATH), WEBHOOK_SECRET, PORT, ...
// from the environment or .env, and verifies every webhook's signature before the app sees it.
const clusters = await clusterSettingsFromEnv(process.env);
await run(fsmGitopsApp({ live: new LiveSources(new ClusterConnector(clusters)) }));
