import { readFile } from 'node:fs/promises';
import { settingsFromEnv } from '../github/app-context.ts';
import { maxBodyBytesFromEnv } from '../queue/intake.ts';
import { clusterSettingsFromEnv } from '../kube/credentials/cluster-settings.ts';
import type { ClusterCredentials } from '../kube/credentials/cluster-credentials.ts';
import { driftIntervalMinutes } from './drift-schedule.ts';
import { registrationWebhookUrl } from './register-app.ts';

type Env = Record<string, string | undefined>;

/**
 * What `npm start` found in its settings (the environment, or .env; .env.example documents each).
 * `register`: no APP_ID yet, so probot's manifest flow registers the app (docs/github-app.md) with
 * `webhookUrl` (WEBHOOK_URL or WEBHOOK_PROXY_URL, which must be set); the other settings' problems are then
 * `warnings`. `serve`: `problems` must be empty to start.
 * Every problem is one line that names the setting and says what to do.
 */
export interface ServerSettingsCheck {
  mode: 'register' | 'serve';
  problems: string[];
  warnings: string[];
  clusters: Record<string, ClusterCredentials>;
  webhookUrl?: string;
}

export async function checkServerSettings(env: Env): Promise<ServerSettingsCheck> {
  const problems: string[] = [];
  const mode = blank(env['APP_ID']) ? 'register' : 'serve';
  const clusters = await clusterProblems(env, problems);
  try {
    settingsFromEnv(env);
  } catch (error) {
    problems.push(`${(error as Error).message}: fix it in .env or unset it (default 20)`);
  }
  for (const check of [maxBodyBytesFromEnv, driftIntervalMinutes]) {
    try {
      check(env);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const port = env['PORT'];
  if (!blank(port) && (!/^\d+$/.test(port!.trim()) || Number(port) < 1 || Number(port) > 65_535)) problems.push(`PORT: "${port}" is not a port number: set PORT to one from 1 to 65535, or unset it (default 3000)`);
  if (mode === 'register') return registerCheck(env, problems, clusters);
  if (!/^\d+$/.test(env['APP_ID']!.trim())) problems.push(`APP_ID: "${env['APP_ID']}" is not an App id: copy the number from the App's settings (General → App ID)`);
  await privateKeyProblems(env, problems);
  if (blank(env['WEBHOOK_SECRET'])) problems.push('WEBHOOK_SECRET is not set: set it to the webhook secret of the App (every delivery is checked against it)');
  return { mode, problems, warnings: [], clusters };
}

/** Registering needs only the webhook URL; the other settings matter once the App exists. */
function registerCheck(env: Env, warnings: string[], clusters: Record<string, ClusterCredentials>): ServerSettingsCheck {
  const hook = registrationWebhookUrl(env);
  if ('problem' in hook) return { mode: 'register', problems: [hook.problem], warnings, clusters };
  if (env['NODE_ENV'] === 'production') {
    return { mode: 'register', problems: ['APP_ID is not set: register the App first (npm start without NODE_ENV=production serves the registration page, docs/github-app.md), or set APP_ID'], warnings, clusters };
  }
  return { mode: 'register', problems: [], warnings: hook.warning ? [...warnings, hook.warning] : warnings, clusters, webhookUrl: hook.url };
}

async function clusterProblems(env: Env, problems: string[]): Promise<Record<string, ClusterCredentials>> {
  const file = env['FSM_GITOPS_CLUSTERS_FILE'];
  const setting = !blank(file) ? 'FSM_GITOPS_CLUSTERS_FILE' : 'FSM_GITOPS_CLUSTERS';
  try {
    return await clusterSettingsFromEnv(env);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') problems.push(`FSM_GITOPS_CLUSTERS_FILE: ${file} does not exist: write it as docs/clusters.md shows (how the app reaches each cluster), or set FSM_GITOPS_CLUSTERS instead`);
    else if (code) problems.push(`FSM_GITOPS_CLUSTERS_FILE: ${file} cannot be read (${code}): make it readable by the app`);
    else problems.push(`${setting}: ${(error as Error).message}: fix it as docs/clusters.md shows`);
    return {};
  }
}

async function privateKeyProblems(env: Env, problems: string[]): Promise<void> {
  const path = env['PRIVATE_KEY_PATH'];
  let key = env['PRIVATE_KEY'];
  let setting = 'PRIVATE_KEY';
  if (blank(key) && !blank(path)) {
    setting = 'PRIVATE_KEY_PATH';
    try {
      key = await readFile(path!, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`PRIVATE_KEY_PATH: ${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}: generate a private key in the App's settings (Private keys) and point PRIVATE_KEY_PATH at the .pem file`);
      return;
    }
  }
  if (blank(key)) problems.push("PRIVATE_KEY and PRIVATE_KEY_PATH are not set: generate a private key in the App's settings (Private keys) and set PRIVATE_KEY_PATH to the .pem file");
  else if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key!.replace(/\\n/g, '\n'))) problems.push(`${setting}: not a PEM private key: use the .pem file GitHub gave for the App`);
}

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}
