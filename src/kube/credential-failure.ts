import { kubeErrorKind } from './error-kind.ts';
import { KubeApiError } from './kube-errors.ts';

/**
 * What a credentials failure means, for the user to act on; undefined for any other error.
 *
 * Kubernetes authenticates a request before it authorizes it (Kubernetes docs, "Controlling Access to
 * the Kubernetes API"): a 401 Unauthorized means the server did not accept who we claim to be (a wrong,
 * expired or revoked token or client certificate, or one for another cluster) and no permission was even
 * looked at; a 403 Forbidden from RBAC (reason Forbidden, not an admission webhook's denial) means it
 * knows who we are and that identity lacks a permission.
 */
export function credentialFailure(error: unknown, server: string): string | undefined {
  if (!(error instanceof KubeApiError) || kubeErrorKind(error) !== 'fatal') return undefined;
  if (error.status === 401) {
    return `${error.message} (the API server at ${server} did not accept the credentials: the token or client certificate is wrong, expired, revoked or for another cluster; renew it in the kubeconfig or the app's cluster settings. Permissions were not checked yet.)`;
  }
  if (error.status === 403) return `${error.message} (the credentials for ${server} lack a permission fsm-gitops needs: see deploy/rbac.yaml)`;
  return undefined;
}

/**
 * The API server's words when `error`, or the API error it explains (its `cause`, as a LiveStateError of
 * credentialFailure has), is RBAC's 403 Forbidden; undefined otherwise (an admission webhook's denial too).
 */
export function rbacRefusal(error: unknown): string | undefined {
  const api = error instanceof KubeApiError ? error : error instanceof Error ? error.cause : undefined;
  return api instanceof KubeApiError && api.status === 403 && kubeErrorKind(api) === 'fatal' ? api.serverMessage : undefined;
}
