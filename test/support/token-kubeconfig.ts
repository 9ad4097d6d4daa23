/** A kubeconfig for `server` (TLS not verified) with a static bearer token, current context `ctx`. */
export function tokenKubeconfig(server: string, token = 't'): string {
  return `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: ${token} } }]
contexts: [{ name: ctx, context: { cluster: c, user: u } }]
current-context: ctx
`;
}
