import type { KubeConfig } from '@kubernetes/client-node';

/**
 * What another program (helm) needs to reach the cluster a KubeClient reaches, with the same identity:
 * the API server URL, its CA and the credential, resolved now (an exec plugin or an EKS token source has
 * already run, so the program runs none). PEM texts, not file paths. Holds credentials: never log it.
 */
export interface ClusterConnection {
  /** The API server URL as the kubeconfig wrote it. */
  server: string;
  /** PEM CA bundle the server's certificate must chain to; undefined: the system's roots. */
  certificateAuthority?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  /** A bearer token (RFC 6750): a static token, an exec plugin's or an auth provider's, or an EKS token. */
  token?: string;
  /** A client certificate and its key, PEM. */
  clientCertificate?: { certificate: string; key: string };
  /** HTTP basic credentials (RFC 7617), as old kubeconfigs may hold. */
  basic?: { username: string; password: string };
  /** The user the kubeconfig impersonates (`as:`). */
  impersonate?: string;
}

/**
 * The connection of a kubeconfig's current context, as @kubernetes/client-node resolves it for its own
 * requests (applyToHTTPSOptions: CA, client certificate, Authorization header after auth providers and exec
 * plugins). tokenSource, when given, supplies the bearer token instead (an EKS token source).
 */
export async function clusterConnection(config: KubeConfig, server: string, tokenSource?: () => Promise<string>): Promise<ClusterConnection> {
  const options: { ca?: unknown; cert?: unknown; key?: unknown; rejectUnauthorized?: boolean; servername?: string; auth?: string; headers?: Record<string, unknown> } = {};
  await config.applyToHTTPSOptions(options);
  const authorization = typeof options.headers?.['Authorization'] === 'string' ? options.headers['Authorization'] : undefined;
  const bearer = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
  const token = tokenSource ? await tokenSource() : bearer;
  const cert = pem(options.cert);
  const key = pem(options.key);
  const impersonate = options.headers?.['Impersonate-User'];
  const colon = options.auth?.indexOf(':') ?? -1;
  return {
    server,
    certificateAuthority: pem(options.ca),
    insecureSkipTlsVerify: options.rejectUnauthorized === false,
    ...(options.servername ? { tlsServerName: options.servername } : {}),
    ...(token ? { token } : {}),
    ...(cert && key ? { clientCertificate: { certificate: cert, key } } : {}),
    ...(options.auth && colon > 0 ? { basic: { username: options.auth.slice(0, colon), password: options.auth.slice(colon + 1) } } : {}),
    ...(typeof impersonate === 'string' ? { impersonate } : {}),
  };
}

function pem(value: unknown): string | undefined {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return typeof value === 'string' ? value : undefined;
}
