import { isObject, setOwn, type JsonObject, type JsonValue } from '../core/json.ts';
import { schemaChild } from '../fsm/crd-schemas.ts';

/**
 * What the object becomes when `applied` is server-side applied onto `live`: mappings merge key by key,
 * lists of type map merge item by item on their keys; other lists and atomic maps are replaced whole, as
 * the CRD's x-kubernetes-list-type and x-kubernetes-map-type say. Fields other managers set and the repo does not mention stay.
 * A new object: `applied`'s values are copied, `live`'s shared where the result keeps them as they are.
 */
export function applyOnto(live: JsonObject, applied: JsonObject, schema?: JsonObject): JsonObject {
  return mergeValue(live, applied, schema) as JsonObject;
}

/** `schema` is the schema node of the value's own path (schemaChild a step at a time, not a walk from the root per value). */
function mergeValue(live: JsonValue | undefined, applied: JsonValue, schema: JsonObject | undefined): JsonValue {
  if (isObject(applied) && isObject(live) && schema?.['x-kubernetes-map-type'] !== 'atomic') {
    const out: JsonObject = { ...live };
    for (const [key, value] of Object.entries(applied)) {
      setOwn(out, key, mergeValue(Object.hasOwn(live, key) ? live[key] : undefined, value, schemaChild(schema, key)));
    }
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const keys = schema?.['x-kubernetes-list-map-keys'];
    if (schema?.['x-kubernetes-list-type'] === 'map' && Array.isArray(keys)) {
      return mergeListMap(live, applied, keys.map(String), schema);
    }
  }
  return copied(applied);
}

function mergeListMap(live: JsonValue[], applied: JsonValue[], keys: string[], schema: JsonObject): JsonValue[] {
  const identity = (item: JsonValue): string => (isObject(item) ? JSON.stringify(keys.map((k) => item[k] ?? null)) : JSON.stringify(item));
  const items = schemaChild(schema, 0);
  const out = live.map(copied);
  for (const item of applied) {
    const index = out.findIndex((existing) => identity(existing) === identity(item));
    if (index === -1) out.push(copied(item));
    else out[index] = mergeValue(out[index], item, items);
  }
  return out;
}

/** A deep copy; a scalar is its own copy (structuredClone of one costs a native round trip for nothing). */
function copied(value: JsonValue): JsonValue {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}
