import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, type Logger, type Server } from 'probot';

type Env = Record<string, string | undefined>;

/** The path `npm start` serves webhooks on unless WEBHOOK_PATH says otherwise (src/server/webhook-server.ts). */
const DEFAULT_WEBHOOK_PATH = '/api/github/webhooks';
/** What the registration writes to .env: what `npm start` needs to serve (the OAuth client id and secret are not). */
const CREDENTIALS = ['APP_ID', 'PRIVATE_KEY', 'WEBHOOK_SECRET'] as const;

/**
 * The URL GitHub is to deliver the new App's webhooks to: WEBHOOK_URL (this server's public address and
 * webhook path), else WEBHOOK_PROXY_URL (a smee.io channel, for a machine GitHub cannot reach). The URL in
 * app.yml is never used: the manifest flow (docs/github-app.md) puts this one in the manifest. `problem`
 * (one line naming the setting) when neither is a usable http(s) URL; `warning` when WEBHOOK_URL's path is
 * not the one `npm start` serves.
 */
export function registrationWebhookUrl(env: Env): { url: string; warning?: string } | { problem: string } {
  const setting = !blank(env['WEBHOOK_URL']) ? 'WEBHOOK_URL' : !blank(env['WEBHOOK_PROXY_URL']) ? 'WEBHOOK_PROXY_URL' : undefined;
  if (!setting) {
    return { problem: `WEBHOOK_URL is not set: registering the App needs the https URL GitHub will send webhooks to (this server's public address and ${DEFAULT_WEBHOOK_PATH}), or WEBHOOK_PROXY_URL set to a smee.io channel (docs/github-app.md)` };
  }
  const value = env[setting]!.trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `${setting}: "${value}" is not a URL: set it to the https URL GitHub will send webhooks to, such as https://fsm-gitops.example.org${DEFAULT_WEBHOOK_PATH}` };
  }
  // The manifest is posted from an HTML attribute probot does not escape: no quote or bracket may reach it.
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || /['"<>\s]/.test(url.href)) {
    return { problem: `${setting}: "${value}" is not an http(s) URL GitHub can deliver to: use https://<host>${DEFAULT_WEBHOOK_PATH}` };
  }
  const path = env['WEBHOOK_PATH']?.trim() || DEFAULT_WEBHOOK_PATH;
  if (setting === 'WEBHOOK_URL' && url.pathname !== path) {
    return { url: url.href, warning: `WEBHOOK_URL: its path ${url.pathname} is not ${path}, the path npm start serves webhooks on: deliveries will be answered 404 unless a proxy in front rewrites the path` };
  }
  return { url: url.href };
}

export interface RegistrationOptions {
  /** From registrationWebhookUrl(). */
  webhookUrl: string;
  /** The settings: PORT, LOG_LEVEL, GHE_HOST, GHE_PROTOCOL are used. */
  env: Env;
  /** Where the credentials are written (default: `.env` in the working folder). */
  envFile?: string;
  /** probot's logger (src/github/app-log.ts: redacted); probot's own when absent. */
  log?: Logger;
}

/**
 * Serves probot's manifest flow (https://probot.github.io/docs/development/#manually-configuring-a-github-app,
 * https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest) on
 * http://localhost:PORT: its page posts app.yml, with `webhookUrl` as the webhook URL, to GitHub; GitHub
 * sends the browser back with a code, which probot exchanges (POST /app-manifests/{code}/conversions) for
 * the App's id, private key and webhook secret; those are written to the env file, readable by its owner
 * only. Served on localhost only: the page writes credentials. Resolves once the server listens.
 */
export async function startRegistration(options: RegistrationOptions): Promise<Server> {
  // probot's manifest takes its webhook URL from WEBHOOK_PROXY_URL (app.yml has none, so nothing overrides
  // it); the server it starts is given settings without one, so it opens no smee.io connection.
  process.env['WEBHOOK_PROXY_URL'] = options.webhookUrl;
  const { env } = options;
  const serverEnv = Object.fromEntries(
    Object.entries({ PORT: env['PORT'], HOST: 'localhost', LOG_LEVEL: env['LOG_LEVEL'], GHE_HOST: env['GHE_HOST'], GHE_PROTOCOL: env['GHE_PROTOCOL'] }).filter(
      (entry): entry is [string, string] => !blank(entry[1]),
    ),
  );
  const envFile = options.envFile ?? join(process.cwd(), '.env');
  return run(() => {}, { env: serverEnv, ...(options.log ? { log: options.log } : {}), updateEnv: (values: Env) => writeCredentials(envFile, values) });
}

/**
 * Sets APP_ID, PRIVATE_KEY and WEBHOOK_SECRET in the env file, keeping its other lines (comments too), and
 * makes it readable by its owner only. PRIVATE_KEY is written on one line, newlines as `\n`, in double
 * quotes (probot hands it over quoted already), as `process.loadEnvFile` and probot read it.
 */
export function writeCredentials(envFile: string, values: Env): Env {
  const wanted = new Map<string, string>(CREDENTIALS.flatMap((key) => (values[key] === undefined ? [] : [[key, envLine(key, values[key])]])));
  const lines = existsSync(envFile) ? readFileSync(envFile, 'utf8').split('\n') : [];
  const kept = lines.map((line) => {
    const key = /^\s*([A-Z_][A-Z0-9_]*)\s*=/.exec(line)?.[1];
    if (key === undefined || !wanted.has(key)) return line;
    const replacement = wanted.get(key)!;
    wanted.delete(key);
    return replacement;
  });
  while (kept.length > 0 && kept.at(-1) === '') kept.pop();
  writeFileSync(envFile, `${[...kept, ...wanted.values()].join('\n')}\n`, { mode: 0o600 });
  chmodSync(envFile, 0o600);
  return values;
}

function envLine(key: string, value: string): string {
  if (key !== 'PRIVATE_KEY') return `${key}=${value}`;
  const pem = value.replace(/^"([\s\S]*)"$/, '$1');
  return `${key}="${pem.replace(/\r?\n/g, '\\n')}"`;
}

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}
