/**
 * Requests to one API server in flight at once when FSM_GITOPS_KUBE_CONCURRENCY is unset (and writes an apply
 * keeps in flight). 16 stays far below an API server's default limit of 200 mutating requests in flight
 * (kube-apiserver --max-mutating-requests-inflight), so fsm-gitops never crowds out the cluster's own controllers.
 */
export const DEFAULT_KUBE_CONCURRENCY = 16;
const MAX_KUBE_CONCURRENCY = 256;

/**
 * The most requests fsm-gitops has in flight to one API server (and so the most connections it keeps open
 * to it), from FSM_GITOPS_KUBE_CONCURRENCY: a whole number from 1 to 256; DEFAULT_KUBE_CONCURRENCY when
 * unset or blank. Throws on anything else, naming the variable (docs/clusters.md, "Requests to the API server").
 */
export function kubeConcurrencyFromEnv(env: Record<string, string | undefined>): number {
  const value = env['FSM_GITOPS_KUBE_CONCURRENCY']?.trim();
  if (value === undefined || value === '') return DEFAULT_KUBE_CONCURRENCY;
  const number = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(number >= 1 && number <= MAX_KUBE_CONCURRENCY)) {
    throw new Error(`FSM_GITOPS_KUBE_CONCURRENCY is "${value.slice(0, 20)}": it must be a whole number from 1 to ${MAX_KUBE_CONCURRENCY}`);
  }
  return number;
}
