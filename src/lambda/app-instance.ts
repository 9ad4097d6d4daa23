import { Probot } from 'probot';
import { AppOctokit } from '../github/app-octokit.ts';
import { readSecret, secretRef } from '../aws/secrets.ts';
import type { AppDependencies } from '../github/app-context.ts';
import { settingsFromEnv } from '../github/app-context.ts';
import { appDependencies } from '../github/app.ts';
import { createAppLog, logLevelFromEnv } from '../github/app-log.ts';
import { ClusterConnector } from '../kube/credentials/cluster-credentials.ts';
import { parseClusterSettings } from '../kube/credentials/cluster-settings.ts';
import { rememberLogSecrets } from '../redact/redacting-log.ts';
import { LiveSources } from '../workflow/live-sources.ts';

export interface AppInstance {
  probot: Probot;
  live: LiveSources;
  deps: AppDependencies;
}

let instance: Promise<AppInstance> | undefined;

/** Probot (for the app's and installations' GitHub clients) and the app's dependencies, built once per container from the stored settings. */
export function appInstance(env: Record<string, string | undefined> = process.env): Promise<AppInstance> {
  instance ??= build(env).catch((error: unknown) => {
    instance = undefined;
    throw error;
  });
  return instance;
}

/**
 * The worker and drift functions read their settings once per container, with minutes to run (serverless.yml):
 * a slow SSM or Secrets Manager answer on a cold start is waited for longer than the webhook's 4 s.
 */
const SETTINGS_READ = { timeoutMs: 15_000 };

async function build(env: Record<string, string | undefined>): Promise<AppInstance> {
  const [appId, privateKey, secret, clusters] = await Promise.all([
    readSecret(secretRef(env, 'GITHUB_APP_ID'), env, SETTINGS_READ),
    readSecret(secretRef(env, 'GITHUB_PRIVATE_KEY'), env, SETTINGS_READ),
    readSecret(secretRef(env, 'WEBHOOK_SECRET'), env, SETTINGS_READ),
    readSecret(secretRef(env, 'CLUSTERS'), env, SETTINGS_READ),
  ]);
  rememberLogSecrets([privateKey, secret]);
  const live = new LiveSources(new ClusterConnector(parseClusterSettings('the CLUSTERS setting', clusters)));
  const probot = new Probot({ appId: Number(appId), privateKey, secret, baseUrl: githubApiUrl(env), log: createAppLog(logLevelFromEnv(env)), Octokit: AppOctokit });
  const settings = settingsFromEnv(env);
  return { probot, live, deps: appDependencies(probot, { live, settings }) };
}

/**
 * The GitHub REST API the functions call: GitHub Enterprise Server's `<GHE_PROTOCOL>://<GHE_HOST>/api/v3`
 * when GHE_HOST is set (the rule and names of probot's own settings, which `npm start` reads), else
 * api.github.com. Throws on a GHE_HOST that is not a host name with an optional port.
 */
export function githubApiUrl(env: Record<string, string | undefined>): string {
  const host = env['GHE_HOST']?.trim();
  if (!host) return 'https://api.github.com';
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host)) throw new Error(`GHE_HOST is "${host.slice(0, 80)}": set it to the server's host name (github.example.com, or with a port), without a scheme or path`);
  const protocol = env['GHE_PROTOCOL']?.trim() || 'https';
  if (protocol !== 'https' && protocol !== 'http') throw new Error(`GHE_PROTOCOL is "${protocol.slice(0, 20)}": set it to https (or http)`);
  return `${protocol}://${host}/api/v3`;
}

/** For tests: build afresh on the next call. */
export function resetAppInstance(): void {
  instance = undefined;
}
