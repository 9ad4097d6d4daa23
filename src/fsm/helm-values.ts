import { isObject, setOwn, type JsonObject, type JsonValue } from '../core/json.ts';

/**
 * Helm's coalescing of user values onto chart defaults: mappings merge recursively, anything else
 * replaces, and a null removes the default key.
 */
export function coalesceValues(defaults: JsonObject, overrides: JsonObject): JsonObject {
  const out: JsonObject = structuredClone(defaults);
  for (const [key, value] of Object.entries(overrides)) {
    const base = Object.hasOwn(out, key) ? out[key] : undefined;
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(base)) setOwn(out, key, coalesceValues(base, value));
    else setOwn(out, key, structuredClone(value));
  }
  return out;
}

export function valueAtDotted(values: JsonValue | undefined, dotted: string): JsonValue | undefined {
  let current = values;
  for (const key of dotted.split('.')) {
    if (!isObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}
