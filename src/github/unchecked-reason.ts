import { ClusterCredentialsError, ClusterLookupError } from '../kube/credentials/cluster-credentials.ts';
import { rbacRefusal } from '../kube/credential-failure.ts';
import { DeadlineExceededError } from '../kube/kube-client.ts';
import { KubeApiError, KubeconfigCredentialsError, KubeUnreachableError } from '../kube/kube-errors.ts';

/**
 * Why an environment's cluster could not be read, as the drift issue says it: the same words for the same
 * cause from one run to the next (the issue is edited only when what it says changes, and a timeout's
 * seconds or a connection's port change every run), and none of the cluster's addresses, snapshot paths or
 * a login tool's or AWS's words (an account id, a role), which the app's own log line has (`drift checked`,
 * `unchecked`). Shape: one clause, no final period. The one exception is the app's own message about a cluster
 * name its settings do not have (or hold as a snapshot file), which says what to fix in the repository or the
 * settings and names nothing but the repository's own cluster name.
 */
export function uncheckedReason(error: unknown): string {
  if (error instanceof ClusterLookupError) return "the app could not get the cluster's credentials from where its settings keep them (a kubeconfig file, SSM, Secrets Manager or EKS)";
  if (error instanceof ClusterCredentialsError) return error.message;
  // A cluster that hangs ends in either, depending on how its retries meet the repository's time: one phrase for both.
  if (error instanceof DeadlineExceededError) return NO_ANSWER_REASON;
  const cause = causeChain(error);
  if (cause.some((e) => e instanceof KubeconfigCredentialsError)) return "the app could not get credentials for the cluster: its kubeconfig user's login, exec plugin or credential files failed";
  const unreachable = cause.find((e): e is KubeUnreachableError => e instanceof KubeUnreachableError);
  if (unreachable) return `the cluster's API server ${transportReason(unreachable.transport)}`;
  const api = cause.find((e): e is KubeApiError => e instanceof KubeApiError);
  if (api?.status === 401) return "the cluster's API server did not accept the app's credentials (401 Unauthorized)";
  if (rbacRefusal(api) !== undefined) return "the app's credentials lack a permission the drift check needs (403 Forbidden; see deploy/rbac.yaml)";
  if (api) return `the cluster's API server answered ${api.status}${api.reason ? ` ${api.reason}` : ''}`;
  return "the cluster's live state could not be read";
}

/** The cluster gave no answer in time: a deadline passed or a request timed out (not a refusal, nor a closed port). */
export function gaveNoAnswer(error: unknown): boolean {
  return causeChain(error).some((e) => e instanceof DeadlineExceededError || (e instanceof KubeUnreachableError && isTimeout(e.transport)));
}

/** `error` and its `cause`s, outermost first (at most 5: a cycle ends it). */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && chain.length < 5 && !chain.includes(e); e = e instanceof Error ? e.cause : undefined) chain.push(e);
  return chain;
}

const NO_ANSWER = 'did not answer in time';
/** A cluster that gave no answer in its time, as the drift issue says it. */
export const NO_ANSWER_REASON = `the cluster's API server ${NO_ANSWER}`;
const isTimeout = (transport: string): boolean => /^no answer within|ETIMEDOUT/.test(transport);

/** A KubeUnreachableError's transport (a Node error code, or http-exchange's `no answer within N s`) as a clause. */
function transportReason(transport: string): string {
  if (isTimeout(transport)) return NO_ANSWER;
  if (/ECONNREFUSED/.test(transport)) return 'refused the connection';
  if (/ENOTFOUND|EAI_AGAIN/.test(transport)) return "could not be found: its host name did not resolve";
  if (/ECONNRESET|EPIPE|socket hang up/.test(transport)) return 'closed the connection';
  // The server's TLS alert: it refused the app's client certificate (an mTLS proxy), the app's to fix, not the server's.
  if (/ERR_SSL_.*ALERT/.test(transport)) return "refused the app's TLS client certificate";
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|certificate/i.test(transport)) return "was not trusted: its TLS certificate was not accepted";
  return 'could not be reached';
}
