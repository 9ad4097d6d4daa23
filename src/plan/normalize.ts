import { isObject, type JsonObject } from '../core/json.ts';
import { COMMIT_ANNOTATION } from '../core/ownership.ts';
import type { KubeObject } from '../core/kube.ts';

const SERVER_METADATA = ['managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp', 'selfLink', 'deletionGracePeriodSeconds'];
const NOISE_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', COMMIT_ANNOTATION];

/**
 * The object as a person would compare it: no status, no server bookkeeping, no empty labels or annotations.
 * A new object, metadata and annotations; every other value is `object`'s own (read it, do not write to it).
 */
export function normalize(object: KubeObject): JsonObject {
  const { status: _status, ...rest } = object;
  const metadata = { ...object.metadata };
  rest.metadata = metadata;
  for (const field of SERVER_METADATA) delete metadata[field];
  const annotations = metadata['annotations'];
  if (isObject(annotations)) {
    const kept: JsonObject = { ...annotations };
    for (const key of NOISE_ANNOTATIONS) delete kept[key];
    if (Object.keys(kept).length === 0) delete metadata['annotations'];
    else metadata['annotations'] = kept;
  }
  if (isObject(metadata['labels']) && Object.keys(metadata['labels']).length === 0) delete metadata['labels'];
  return rest;
}
