import { isObject, type JsonObject } from '../core/json.ts';
import { COMMIT_ANNOTATION } from '../core/ownership.ts';
import type { KubeObject } from '../core/kube.ts';

const SERVER_METADATA = ['managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp', 'selfLink', 'deletionGracePeriodSeconds'];
const NOISE_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', COMMIT_ANNOTATION];

/** The object as a person would compare it: no status, no server bookkeeping, no empty labels or annotations. */
export function normalize(object: KubeObject): JsonObject {
  const { status: _status, ...rest } = structuredClone(object);
  const metadata = rest.metadata;
  for (const field of SERVER_METADATA) delete metadata[field];
  const annotations = metadata['annotations'];
  if (isObject(annotations)) {
    for (const key of NOISE_ANNOTATIONS) delete annotations[key];
    if (Object.keys(annotations).length === 0) delete metadata['annotations'];
  }
  if (isObject(metadata['labels']) && Object.keys(metadata['labels']).length === 0) delete metadata['labels'];
  return rest;
}
