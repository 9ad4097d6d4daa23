import type { KubeObject } from './kube.ts';

/**
 * An object being deleted: the API server set its `deletionTimestamp` and removes it once its finalizers are
 * gone (Kubernetes API, "Finalizers"); what is written to it meanwhile goes with it. Undefined when it is not
 * being deleted. Returns, e.g., `being deleted since 2026-12-03T09:55:06Z; finalizers example.com/hold hold it`.
 */
export function beingDeleted(object: KubeObject): string | undefined {
  const since = object.metadata['deletionTimestamp'];
  if (typeof since !== 'string') return undefined;
  const finalizers = Array.isArray(object.metadata['finalizers']) ? object.metadata['finalizers'].map(String) : [];
  return `being deleted since ${since}${finalizers.length > 0 ? `; finalizers ${finalizers.join(', ')} hold it` : ''}`;
}
