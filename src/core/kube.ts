import { isObject, type JsonObject, type JsonValue } from './json.ts';

export interface ObjectMeta extends JsonObject {
  name: string;
}

/** A Kubernetes object as the API server serves it (or as a manifest describes it). */
export interface KubeObject extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

export function isKubeObject(value: JsonValue | undefined): value is KubeObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const metadata = value['metadata'];
  return (
    typeof value['apiVersion'] === 'string' &&
    typeof value['kind'] === 'string' &&
    typeof metadata === 'object' &&
    metadata !== null &&
    !Array.isArray(metadata) &&
    typeof metadata['name'] === 'string'
  );
}

export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

export function apiVersionOnly(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
}

/**
 * The entries of an object's `metadata.managedFields` (Kubernetes API: server-side apply's field ownership,
 * one per field manager, operation and subresource) that are mappings; [] when it has none.
 */
export function managedFieldsOf(object: JsonObject): JsonObject[] {
  const metadata = object['metadata'];
  const managed = isObject(metadata) ? metadata['managedFields'] : undefined;
  return Array.isArray(managed) ? managed.filter(isObject) : [];
}

export function namespaceOf(object: KubeObject): string | undefined {
  const ns = object.metadata['namespace'];
  return typeof ns === 'string' && ns !== '' ? ns : undefined;
}

/** The string-valued labels, in a map without a prototype: a label key `constructor` or `__proto__` is just a key. */
export function labelsOf(object: KubeObject): Record<string, string> {
  const labels = object.metadata['labels'];
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (typeof labels === 'object' && labels !== null && !Array.isArray(labels)) {
    for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** One string-valued label of the object (labelsOf(object)[key], without copying every label). */
export function labelOf(object: KubeObject, key: string): string | undefined {
  const labels = object.metadata['labels'];
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels) || !Object.hasOwn(labels, key)) return undefined;
  const value = labels[key];
  return typeof value === 'string' ? value : undefined;
}

/** Identity of an object across desired and live state: group, kind, namespace, name (the version is not part of it). */
export function objectKey(object: KubeObject): string {
  return keyOf(object.apiVersion, object.kind, namespaceOf(object), object.metadata.name);
}

export function keyOf(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return `${apiGroup(apiVersion)}/${kind}/${namespace ?? ''}/${name}`;
}

/** `PluginChain fsm-demo/cors-chain`, `Plugin cors` */
export function displayName(object: KubeObject): string {
  const ns = namespaceOf(object);
  return `${object.kind} ${ns ? `${ns}/` : ''}${object.metadata.name}`;
}
