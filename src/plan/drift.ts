import type { Finding } from '../core/finding.ts';
import { findingAt } from '../core/findings.ts';
import { deepEqual, formatPath, getAt, isObject, type JsonObject, type JsonValue, type PathSegment } from '../core/json.ts';
import { objectKey, type KubeObject } from '../core/kube.ts';
import { FIELD_MANAGER } from '../core/ownership.ts';
import { schemaAt, type CrdSchemas } from '../fsm/crd-schemas.ts';
import type { ManagedResource } from '../fsm/rules/rule.ts';
import { managerEntry, ownersOf, wroteSince, type FieldOwner } from './managed-fields.ts';

/**
 * Fields the repository sets that another manager changed after fsm-gitops applied them (a person's
 * `kubectl patch`, a controller): named with who and when. Apply takes them back.
 *
 * Read from `metadata.managedFields` (Kubernetes server-side apply): fsm-gitops's Apply entry holds the
 * fields of its last apply that nobody has changed since; a manager whose Update (or forced Apply) changes
 * one of them takes it out of that entry. So a field that differs from the repository is drift when
 * fsm-gitops no longer owns it and a manager that owns it wrote the object after fsm-gitops's last apply
 * (see wroteSince). Not drift: a field fsm-gitops still owns (the repository changed it), and a field only
 * owned by managers that wrote before fsm-gitops's last apply (it was never in that apply: the repository
 * takes it over). An atomic map or struct (x-kubernetes-map-type: atomic) and every list is compared and
 * owned whole, so a change inside one is found at that field.
 */
export function driftFindings(resources: readonly ManagedResource[], live: ReadonlyMap<string, KubeObject>, schemas: CrdSchemas): Finding[] {
  const findings: Finding[] = [];
  for (const resource of resources) {
    const current = live.get(objectKey(resource.object));
    const applied = current && managerEntry(current, FIELD_MANAGER);
    if (!current || !applied) continue; // never applied by fsm-gitops: nothing to drift from
    const lookup = schemas.lookup(resource.object.apiVersion, resource.object.kind);
    const created = typeof current.metadata['creationTimestamp'] === 'string' ? current.metadata['creationTimestamp'] : undefined;
    for (const path of comparedPaths(resource.object['spec'], ['spec'], lookup.ok ? lookup.schema : undefined)) {
      const wanted = getAt(resource.object, path);
      const actual = getAt(current, path);
      if (deepEqual(wanted, actual)) continue;
      const owners = ownersOf(current, path);
      if (owners.some((o) => o.manager === FIELD_MANAGER)) continue; // unchanged since fsm-gitops applied it: the repository changed
      const changers = owners.filter((o) => wroteSince(o, applied, created));
      if (changers.length === 0) continue;
      findings.push(
        findingAt(resource, path, 'warning', 'drift', `${formatPath(path)} was changed in the cluster by ${changers.map(who).join(', ')} after fsm-gitops applied it${applied.time ? ` (at ${applied.time})` : ''}: it is ${show(actual)} there, ${show(wanted)} in the repository. Apply takes it back; to keep the cluster's value, change the repository`),
      );
    }
  }
  return findings;
}

/** The paths compared: leaves, where lists and atomic maps (by the CRD schema) count as leaves. */
function comparedPaths(value: JsonValue | undefined, path: PathSegment[], schema: JsonObject | undefined): PathSegment[][] {
  if (value === undefined) return [];
  if (!isObject(value) || schemaAt(schema, path)?.['x-kubernetes-map-type'] === 'atomic') return [path];
  return Object.entries(value).flatMap(([key, child]) => comparedPaths(child, [...path, key], schema));
}

function who(owner: FieldOwner): string {
  return `${owner.manager} (${owner.operation}${owner.time ? ` at ${owner.time}` : ''})`;
}

function show(value: JsonValue | undefined): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}
