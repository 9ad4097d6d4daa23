import { getOwn, isObject, type JsonObject } from '../core/json.ts';
import { apiGroup, apiVersionOnly, type KubeObject } from '../core/kube.ts';

export type SchemaLookup =
  /** `storageVersion`: the version the cluster stores the kind in (the CRD's `storage: true` one), when known. */
  | { ok: true; schema: JsonObject; storageVersion?: string }
  | { ok: false; reason: string };

/** Finds the openAPIV3Schema the cluster's CRDs give for an apiVersion and kind. */
export class CrdSchemas {
  private readonly cache = new Map<string, SchemaLookup>();

  /** `absent` says why a kind has no CRD (live-gaps.ts: the cluster's or the snapshot's gap). */
  constructor(
    private readonly crds: readonly KubeObject[],
    private readonly absent: (kind: string, group: string) => string,
  ) {}

  lookup(apiVersion: string, kind: string): SchemaLookup {
    const key = `${apiVersion}|${kind}`;
    let result = this.cache.get(key);
    if (!result) {
      result = this.find(apiGroup(apiVersion), apiVersionOnly(apiVersion), kind);
      this.cache.set(key, result);
    }
    return result;
  }

  private find(group: string, version: string, kind: string): SchemaLookup {
    const crd = this.crds.find((c) => {
      const spec = c['spec'];
      return isObject(spec) && spec['group'] === group && isObject(spec['names']) && spec['names']['kind'] === kind;
    });
    if (!crd) return { ok: false, reason: this.absent(kind, group) };
    const versions = isObject(crd['spec']) && Array.isArray(crd['spec']['versions']) ? crd['spec']['versions'] : [];
    const served = versions.filter(isObject).filter((v) => v['served'] !== false);
    const match = served.find((v) => v['name'] === version);
    if (!match) {
      const names = served.map((v) => String(v['name'])).join(', ');
      return { ok: false, reason: `the cluster's ${kind} CRD does not serve version ${version} (it serves ${names || 'none'}); use apiVersion ${group}/${String(served.at(-1)?.['name'] ?? '?')}` };
    }
    const schema = isObject(match['schema']) ? match['schema']['openAPIV3Schema'] : undefined;
    if (!isObject(schema)) return { ok: false, reason: `the cluster's ${kind} CRD has no openAPIV3Schema for ${version}` };
    const storage = versions.filter(isObject).find((v) => v['storage'] === true)?.['name'];
    return { ok: true, schema, ...(typeof storage === 'string' ? { storageVersion: storage } : {}) };
  }
}

/** The schema node at a path (through properties, items and additionalProperties), used to read list types. */
export function schemaAt(schema: JsonObject | undefined, path: readonly (string | number)[]): JsonObject | undefined {
  let node: JsonObject | undefined = schema;
  for (const segment of path) node = schemaChild(node, segment);
  return node;
}

/** One step of schemaAt: the schema of a list item (a number) or of a map's or object's field (a string). */
export function schemaChild(node: JsonObject | undefined, segment: string | number): JsonObject | undefined {
  if (!node) return undefined;
  if (typeof segment === 'number') return isObject(node['items']) ? node['items'] : undefined;
  const props = node['properties'];
  const additional = node['additionalProperties'];
  const declared = isObject(props) ? getOwn(props, segment) : undefined;
  return isObject(declared) ? declared : isObject(additional) ? additional : undefined;
}
