import type { Finding } from '../core/finding.ts';
import { findingAt } from '../core/findings.ts';
import { deepEqual, formatPath, getAt, isObject, type JsonValue, type PathSegment } from '../core/json.ts';
import { objectKey, type KubeObject } from '../core/kube.ts';
import { FIELD_MANAGER } from '../core/ownership.ts';
import type { ManagedResource } from '../fsm/rules/rule.ts';
import { hasManager, ownersOf } from './managed-fields.ts';

/**
 * Fields the repository sets that another manager changed after fsm-gitops applied them (a person's
 * `kubectl patch`, a controller): named with who and when. Apply takes them back.
 */
export function driftFindings(resources: readonly ManagedResource[], live: ReadonlyMap<string, KubeObject>): Finding[] {
  const findings: Finding[] = [];
  for (const resource of resources) {
    const current = live.get(objectKey(resource.object));
    if (!current || !hasManager(current, FIELD_MANAGER)) continue; // never applied by fsm-gitops: nothing to drift from
    for (const path of leafPaths(resource.object['spec'], ['spec'])) {
      const wanted = getAt(resource.object, path);
      const actual = getAt(current, path);
      if (deepEqual(wanted, actual)) continue;
      const others = ownersOf(current, path).filter((o) => o.manager !== FIELD_MANAGER);
      if (others.length === 0) continue;
      const by = others.map((o) => `${o.manager} (${o.operation}${o.time ? ` at ${o.time}` : ''})`).join(', ');
      findings.push(
        findingAt(resource, path, 'warning', 'drift', `${formatPath(path)} was changed in the cluster by ${by}: it is ${show(actual)} there, ${show(wanted)} in the repository. Apply takes it back; to keep the cluster's value, change the repository`),
      );
    }
  }
  return findings;
}

/** Paths of the leaves of a value; lists count as leaves (FSM's lists are atomic). */
function leafPaths(value: JsonValue | undefined, path: PathSegment[]): PathSegment[][] {
  if (!isObject(value)) return value === undefined ? [] : [path];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, [...path, key]));
}

function show(value: JsonValue | undefined): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}
