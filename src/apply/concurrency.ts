import { DEFAULT_KUBE_CONCURRENCY } from '../kube/kube-concurrency.ts';

/**
 * The bound on writes in flight during an apply (executor.ts): `requested` when it is a whole number of at
 * least 1 (the executor passes its option, else the kube client's own bound, FSM_GITOPS_KUBE_CONCURRENCY),
 * else the kube client's default (kube-concurrency.ts): one setting for every request to an API server.
 */
export function writeConcurrency(requested?: number): number {
  return requested !== undefined && Number.isInteger(requested) && requested >= 1 ? requested : DEFAULT_KUBE_CONCURRENCY;
}
