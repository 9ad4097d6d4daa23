import { isObject, setOwn, type JsonObject } from '../core/json.ts';
import { COMMIT_ANNOTATION } from '../core/ownership.ts';
import type { KubeObject } from '../core/kube.ts';

const SERVER_METADATA = new Set(['managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp', 'selfLink', 'deletionGracePeriodSeconds']);
const NOISE_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration', COMMIT_ANNOTATION]);

/**
 * The object as a person would compare it: no status, no server bookkeeping, no empty labels or annotations.
 * A new object, metadata and annotations, keys in `object`'s order; every other value is `object`'s own
 * (read it, do not write to it).
 */
export function normalize(object: KubeObject): JsonObject {
  const { status: _status, ...rest }: JsonObject = object;
  rest.metadata = shownMetadata(object.metadata);
  return rest;
}

// The copies are built from the keys kept rather than copied whole and then deleted from: an object that
// loses a property to `delete` becomes a slow dictionary-mode object in V8, for every walk of the plan after.
function shownMetadata(metadata: JsonObject): JsonObject {
  const shown: JsonObject = {};
  for (const key of Object.keys(metadata)) {
    if (SERVER_METADATA.has(key)) continue;
    const value = metadata[key]!;
    if (key === 'annotations' && isObject(value)) {
      const kept = withoutKeys(value, NOISE_ANNOTATIONS);
      if (Object.keys(kept).length > 0) setOwn(shown, key, kept);
    } else if (!(key === 'labels' && isObject(value) && Object.keys(value).length === 0)) {
      setOwn(shown, key, value);
    }
  }
  return shown;
}

function withoutKeys(object: JsonObject, left: ReadonlySet<string>): JsonObject {
  const kept: JsonObject = {};
  for (const key of Object.keys(object)) if (!left.has(key)) setOwn(kept, key, object[key]!);
  return kept;
}
