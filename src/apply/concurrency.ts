/**
 * How many writes an apply keeps in flight at once, within one dependency level (executor.ts). The API
 * server answers a write in a few milliseconds; one at a time, 1,000 objects wait mostly on round trips.
 * 16 stays far below an API server's default limit of 200 mutating requests in flight
 * (kube-apiserver --max-mutating-requests-inflight), so an apply never crowds out the cluster's own
 * controllers; a 429 the server answers all the same is retried by the kube client (Retry-After).
 */
export const DEFAULT_WRITE_CONCURRENCY = 16;

/**
 * The bound on writes in flight: `requested` when it is a whole number of at least 1 (the executor passes
 * its option, else the kube client's own bound, FSM_GITOPS_KUBE_CONCURRENCY: kube-concurrency.ts), else
 * DEFAULT_WRITE_CONCURRENCY.
 */
export function writeConcurrency(requested?: number): number {
  return requested !== undefined && Number.isInteger(requested) && requested >= 1 ? requested : DEFAULT_WRITE_CONCURRENCY;
}
