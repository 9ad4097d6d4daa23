import type { ServiceNames } from '../live/live-state.ts';
import { DeadlineExceededError, type KubeClient } from './kube-client.ts';
import { KubeApiError } from './kube-errors.ts';
import { collectionPath, SERVICES } from './resource-paths.ts';

/**
 * How long the Services' LISTs may take together, in ms. They only feed a warning: past this the plan goes on
 * with those namespaces unchecked, instead of waiting out every retry of a request the server never answers.
 */
export const SERVICE_LISTS_MS = 60_000;

/**
 * The Service names of each namespace (one paged LIST each, concurrently, under the client's bound), each
 * namespace on its own: one the server refuses (403: a role with `list` on services in some namespaces only),
 * fails to answer (after the client's retries) or does not answer within `timeoutMs` (SERVICE_LISTS_MS) is put in `unlisted`
 * with why, and the others are still checked. Throws only when `signal` aborts (the plan is stopping) or the
 * run's deadline passes, as every other request of the plan would.
 */
export async function listServiceNames(client: KubeClient, namespaces: readonly string[], signal?: AbortSignal, timeoutMs = SERVICE_LISTS_MS): Promise<ServiceNames> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const bounded = client.withSignal(signal ? AbortSignal.any([signal, timeout]) : timeout);
  const listed = new Map<string, ReadonlySet<string>>();
  const unlisted = new Map<string, string>();
  await Promise.all(
    namespaces.map(async (namespace) => {
      try {
        const services = await bounded.list(collectionPath(SERVICES, namespace), `list Services in ${namespace}`);
        listed.set(namespace, new Set(services.map((service) => nameOf(service['metadata']))));
      } catch (error) {
        if (signal?.aborted || error instanceof DeadlineExceededError) throw error;
        unlisted.set(namespace, timeout.aborted ? `${client.server} did not answer within ${timeoutMs / 1000} s` : whyUnlisted(error, client.server));
      }
    }),
  );
  return { listed, unlisted };
}

function nameOf(metadata: unknown): string {
  const name = typeof metadata === 'object' && metadata !== null ? (metadata as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : '';
}

function whyUnlisted(error: unknown, server: string): string {
  if (error instanceof KubeApiError && error.status === 403) return `${server} refused to list them (403 Forbidden: deploy/rbac.yaml grants list on services)`;
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
