import { isObject, pathAtOrUnder, setOwn, type JsonObject, type JsonValue } from '../core/json.ts';

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

/** True when a change to one of two dotted values paths changes what a template reading the other sees. */
export function valuesPathsOverlap(a: string, b: string): boolean {
  return pathAtOrUnder(a, b) || pathAtOrUnder(b, a);
}

/**
 * The keys a user's values set to null (`fsm:` with every child commented out, `fsm: ~`) where the chart's
 * default is a non-empty mapping: Helm's coalescing deletes the whole default subtree there, so every key
 * under it changes though the user wrote none of them. Paths as key lists, outermost first.
 */
export function nullSections(user: JsonObject, defaults: JsonObject, path: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [key, value] of Object.entries(user)) {
    const base = Object.hasOwn(defaults, key) ? defaults[key] : undefined;
    if (!isObject(base)) continue;
    if (value === null && Object.keys(base).length > 0) out.push([...path, key]);
    else if (isObject(value)) out.push(...nullSections(value, base, [...path, key]));
  }
  return out;
}

/**
 * The namespace the chart deploys FSM into for a `fsm.fsmNamespace` value: the value, or the release's own
 * namespace when it is empty or unset (FSM's charts/fsm/templates/_helpers.tpl:
 * `{{ default .Release.Namespace .Values.fsm.fsmNamespace }}`). `fsm install` leaves it unset.
 */
export function effectiveFsmNamespace(value: JsonValue | undefined, releaseNamespace: string): JsonValue {
  return value === undefined || value === null || value === '' ? releaseNamespace : value;
}

/** Whether a change of `fsm.fsmNamespace` from `before` to `after` leaves FSM where it is (effectiveFsmNamespace). */
export function fsmNamespaceKept(before: JsonValue | undefined, after: JsonValue | undefined, releaseNamespace: string): boolean {
  return JSON.stringify(effectiveFsmNamespace(before, releaseNamespace)) === JSON.stringify(effectiveFsmNamespace(after, releaseNamespace));
}

/** True when `path` is one of `sections` or lies under one. */
export function underNullSection(path: readonly (string | number)[], sections: readonly string[][]): boolean {
  return sections.some((section) => section.length <= path.length && section.every((key, i) => path[i] === key));
}

/**
 * The values a chart upgrade installs: exactly the environment's values.yaml (the release's earlier values are
 * reset, as `fsm mesh upgrade` does) plus `fsm.meshName`, which `fsm install` always sets (flomesh-io/fsm
 * cmd/cli/install.go). A meshName the file sets itself is kept: the mesh-identity rule reports a mismatch.
 * An `fsm` the file sets to something other than a mapping (`fsm:` left null) is kept as written: the
 * values-schema rule reports it.
 */
export function releaseValues(values: JsonObject, meshName: string): JsonObject {
  const out = structuredClone(values);
  if (Object.hasOwn(out, 'fsm') && !isObject(out['fsm'])) return out;
  const fsm = isObject(out['fsm']) ? out['fsm'] : {};
  if (!Object.hasOwn(fsm, 'meshName')) setOwn(fsm, 'meshName', meshName);
  setOwn(out, 'fsm', fsm);
  return out;
}
