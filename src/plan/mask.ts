import { isObject, type JsonObject, type JsonValue } from '../core/json.ts';

const CREDENTIAL_KEY = /password|passwd|token|secret|key|credential/i;
export const MASK = '••••••';
export const MASK_CHANGED = '•••••• (changed)';

/**
 * Masks credential-looking keys under a PluginConfig's spec.config in a before/after pair, so no output
 * format shows them; a masked value that differs between the two is marked as changed.
 */
export function maskPluginConfigPair(before: JsonObject | undefined, after: JsonObject | undefined): [JsonObject | undefined, JsonObject | undefined] {
  const b = before ? structuredClone(before) : undefined;
  const a = after ? structuredClone(after) : undefined;
  const bConfig = configOf(b);
  const aConfig = configOf(a);
  maskTree(bConfig, aConfig);
  return [b, a];
}

function configOf(object: JsonObject | undefined): JsonValue | undefined {
  const spec = object?.['spec'];
  return isObject(spec) ? spec['config'] : undefined;
}

function maskTree(before: JsonValue | undefined, after: JsonValue | undefined): void {
  const containers = [before, after].filter((v): v is JsonObject | JsonValue[] => typeof v === 'object' && v !== null);
  const keys = new Set<string | number>();
  for (const c of containers) for (const key of Array.isArray(c) ? c.keys() : Object.keys(c)) keys.add(key);
  for (const key of keys) {
    const b = childOf(before, key);
    const a = childOf(after, key);
    if (typeof key === 'string' && CREDENTIAL_KEY.test(key)) {
      const changed = JSON.stringify(b) !== JSON.stringify(a);
      if (b !== undefined) setChild(before, key, MASK);
      if (a !== undefined) setChild(after, key, changed && b !== undefined ? MASK_CHANGED : MASK);
    } else {
      maskTree(b, a);
    }
  }
}

function childOf(container: JsonValue | undefined, key: string | number): JsonValue | undefined {
  if (Array.isArray(container) && typeof key === 'number') return container[key];
  if (isObject(container) && typeof key === 'string') return container[key];
  return undefined;
}

function setChild(container: JsonValue | undefined, key: string, value: string): void {
  if (isObject(container)) container[key] = value;
}
