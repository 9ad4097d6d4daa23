import type { Cluster } from '@kubernetes/client-node';
import { displayUrl } from '../redact/display-url.ts';

/**
 * Why a kubeconfig context cannot be used as written, or undefined when it can: its cluster's server is
 * `http://` (requests and their credentials unencrypted) and the cluster entry does not set
 * `insecure-skip-tls-verify: true`, which @kubernetes/client-node requires before it talks plain HTTP without a
 * proxy (config.js createAgent; it otherwise fails at the first request with "HTTP protocol is not allowed when
 * skipTLSVerify is not set or false"). kubectl 1.33 sends such requests over plain HTTP without the kubeconfig's
 * token, as anonymous, and ignores the certificate-authority: the server's 403 is all it says.
 * The reason names the context, the cluster entry and the server (without user information) and what to change.
 */
export function plainHttpRefusal(context: string, cluster: Pick<Cluster, 'name' | 'server' | 'skipTLSVerify' | 'proxyUrl' | 'caData' | 'caFile'>): string | undefined {
  if (!cluster.server.startsWith('http:') || cluster.skipTLSVerify || cluster.proxyUrl) return undefined;
  const ca = cluster.caData || cluster.caFile ? '; its certificate-authority only applies to https://' : '';
  return (
    `context "${context}" uses cluster "${cluster.name}" at ${displayUrl(cluster.server)}, plain HTTP, which would send its credentials unencrypted, ` +
    `and the cluster entry does not allow that (no insecure-skip-tls-verify: true${ca}). ` +
    `Give the server's https:// URL in cluster "${cluster.name}", or, for a server that only speaks HTTP (a local test server), set insecure-skip-tls-verify: true there`
  );
}
