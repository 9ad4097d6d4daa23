import { dump } from 'js-yaml';
import type { ClusterConnection } from '../kube/cluster-connection.ts';

/**
 * A kubeconfig (clientcmd v1, https://kubernetes.io/docs/reference/config-api/kubeconfig.v1/) with one
 * context that reaches the connection's cluster with its credential, all inline: no file paths, no exec
 * plugin, no auth provider. helm reads it from a 0600 file in its private temp folder; the token goes
 * there rather than in `--kube-token`, where every local user could read it in /proc/<pid>/cmdline, and
 * the file carries what helm has no flag for (a client certificate, basic credentials).
 */
export function helmKubeconfig(connection: ClusterConnection, namespace?: string): string {
  const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  const cluster = {
    server: connection.server,
    ...(connection.certificateAuthority ? { 'certificate-authority-data': base64(connection.certificateAuthority) } : {}),
    ...(connection.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
    ...(connection.tlsServerName ? { 'tls-server-name': connection.tlsServerName } : {}),
  };
  const user = {
    ...(connection.token ? { token: connection.token } : {}),
    ...(connection.clientCertificate
      ? { 'client-certificate-data': base64(connection.clientCertificate.certificate), 'client-key-data': base64(connection.clientCertificate.key) }
      : {}),
    ...(connection.basic ? { username: connection.basic.username, password: connection.basic.password } : {}),
    ...(connection.impersonate ? { as: connection.impersonate } : {}),
  };
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'cluster', cluster }],
    users: [{ name: 'fsm-gitops', user }],
    contexts: [{ name: 'fsm-gitops', context: { cluster: 'cluster', user: 'fsm-gitops', ...(namespace ? { namespace } : {}) } }],
    'current-context': 'fsm-gitops',
  });
}
