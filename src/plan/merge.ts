import { isObject, setOwn, type JsonObject, type JsonValue, type PathSegment } from '../core/json.ts';
import { schemaAt } from '../fsm/crd-schemas.ts';

/**
 * What the object becomes when `applied` is server-side applied onto `live`: mappings merge key by key,
 * lists of type map merge item by item on their keys; other lists and atomic maps are replaced whole, as
 * the CRD's x-kubernetes-list-type and x-kubernetes-map-type say. Fields other managers set and the repo does not mention stay.
 */
export function applyOnto(live: JsonObject, applied: JsonObject, schema?: JsonObject): JsonObject {
  return mergeValue(live, applied, schema, []) as JsonObject;
}

function mergeValue(live: JsonValue | undefined, applied: JsonValue, schema: JsonObject | undefined, path: PathSegment[]): JsonValue {
  if (isObject(applied) && isObject(live) && schemaAt(schema, path)?.['x-kubernetes-map-type'] !== 'atomic') {
    const out: JsonObject = { ...live };
    for (const [key, value] of Object.entries(applied)) {
      setOwn(out, key, mergeValue(Object.hasOwn(live, key) ? live[key] : undefined, value, schema, [...path, key]));
    }
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const node = schemaAt(schema, path);
    const keys = node?.['x-kubernetes-list-map-keys'];
    if (node?.['x-kubernetes-list-type'] === 'map' && Array.isArray(keys)) {
      return mergeListMap(live, applied, keys.map(String), schema, path);
    }
  }
  return structuredClone(applied);
}

function mergeListMap(live: JsonValue[], applied: JsonValue[], keys: string[], schema: JsonObject | undefined, path: PathSegment[]): JsonValue[] {
  const identity = (item: JsonValue): string => (isObject(item) ? JSON.stringify(keys.map((k) => item[k] ?? null)) : JSON.stringify(item));
  const out = live.map((item) => structuredClone(item));
  for (const item of applied) {
    const index = out.findIndex((existing) => identity(existing) === identity(item));
    if (index === -1) out.push(structuredClone(item));
    else out[index] = mergeValue(out[index], item, schema, [...path, index]);
  }
  return out;
}
