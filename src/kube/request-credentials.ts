import type { Agent, OutgoingHttpHeaders } from 'node:http';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { TlsOptions } from './http-exchange.ts';
import { KubeconfigCredentialsError } from './kube-errors.ts';

/** How long static credentials are reused (ms) before the kubeconfig's files are read again (client-node's token-file reader waits as long). */
export const STATIC_CREDENTIALS_MS = 60_000;

/** What a request carries to prove who it is: headers (Authorization, Impersonate-User), TLS material, and client-node's proxy agent when there is a proxy-url. */
export interface RequestCredentials {
  /** Lower-case names; shared between requests: copy before adding to it. */
  headers: Readonly<OutgoingHttpHeaders>;
  tls: TlsOptions;
  proxyAgent: Agent | undefined;
}

/**
 * The credentials of a kubeconfig's current user, as @kubernetes/client-node resolves them
 * (applyToHTTPSOptions: CA, client certificate and key, Authorization after auth providers and exec plugins).
 *
 * Resolving costs CPU on every call (base64-decoding the CA and client certificate, reading their files, a
 * new https.Agent), so static credentials (token, username and password, client certificate data or files,
 * CA; the kubeconfig's `tokenFile` is read by client-node when the kubeconfig is loaded) are resolved once
 * and reused for STATIC_CREDENTIALS_MS: a short run reads them once, like kubectl, and a long-running app
 * picks up a certificate file renewed on disk within a minute. An exec plugin or an auth provider (whose
 * tokens expire; client-node caches them until then) and a proxy-url (client-node's proxy agent) are
 * resolved for every request.
 */
export class CredentialSource {
  private cached: { until: number; credentials: Promise<RequestCredentials> } | undefined;
  private readonly isStatic: boolean;

  constructor(
    private readonly config: KubeConfig,
    private readonly now: () => number = Date.now,
  ) {
    const user = config.getCurrentUser();
    this.isStatic = !user?.exec && !user?.authProvider && !config.getCurrentCluster()?.proxyUrl;
  }

  current(): Promise<RequestCredentials> {
    if (!this.isStatic) return resolve(this.config);
    const now = this.now();
    if (this.cached === undefined || now >= this.cached.until) {
      const credentials = resolve(this.config);
      this.cached = { until: now + STATIC_CREDENTIALS_MS, credentials };
      // A failure (an unreadable file) is not kept: the next request tries again.
      credentials.catch(() => {
        if (this.cached?.credentials === credentials) this.cached = undefined;
      });
    }
    return this.cached.credentials;
  }
}

async function resolve(config: KubeConfig): Promise<RequestCredentials> {
  const options: RequestOptions = {};
  try {
    await config.applyToHTTPSOptions(options);
  } catch (error) {
    const user = config.getCurrentUser();
    const exec = user?.exec as { command?: unknown } | undefined;
    const provider = user?.authProvider as { name?: unknown } | undefined;
    const source = exec ? `exec plugin ${JSON.stringify(String(exec.command ?? ''))}` : provider ? `auth provider ${JSON.stringify(String(provider.name ?? ''))}` : 'certificate, key or token files';
    throw new KubeconfigCredentialsError(user?.name ?? '(none)', source, error instanceof Error ? error.message : String(error));
  }
  const headers: OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[key.toLowerCase()] = value;
  if (options.auth) headers['authorization'] = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  const { pfx, passphrase, rejectUnauthorized, servername } = options;
  // PEM as text: Node's agent keys its connections by these, and a Buffer would be decoded for every request.
  const tls: TlsOptions = { ca: pemText(options.ca), cert: pemText(options.cert), key: pemText(options.key), pfx, passphrase, rejectUnauthorized, servername };
  for (const name of Object.keys(tls) as (keyof TlsOptions)[]) if (tls[name] === undefined) delete tls[name];
  return { headers, tls, proxyAgent: typeof options.agent === 'object' ? options.agent : undefined };
}

function pemText<T>(value: T): T | string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : value;
}
