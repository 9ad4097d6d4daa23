import type { Finding } from '../../core/finding.ts';
import { findingAt } from '../../core/findings.ts';
import { formatPath, getAt, type JsonPath } from '../../core/json.ts';
import { validateOpenApi } from '../../schema/openapi.ts';
import type { SchemaViolation } from '../../schema/violation.ts';
import { apiGroup, apiVersionOnly } from '../../core/kube.ts';
import type { ManagedResource, PlanContext, Rule } from './rule.ts';

/**
 * Each resource against its CRD's openAPIV3Schema, from the cluster itself. The MeshConfig is checked
 * as it will be once merged onto the live object, since the repository may hold a partial spec.
 */
export const schemaRule: Rule = {
  name: 'schema',
  check(context) {
    return [...context.managed.map((r) => checkResource(context, r, true)), ...context.misplaced.map((r) => checkResource(context, r, false))].flat();
  },
};

/** `placed`: the resource is managed, not misplaced; a misplaced MeshConfig is not the mesh's, so nothing is merged onto it. */
function checkResource(context: PlanContext, resource: ManagedResource, placed: boolean): Finding[] {
  const { object } = resource;
  const lookup = context.schemas.lookup(object.apiVersion, object.kind);
  if (!lookup.ok) return [findingAt(resource, ['apiVersion'], 'error', 'schema-unavailable', lookup.reason)];
  const merged = resource.kind === 'MeshConfig' && placed ? context.effectiveMeshConfig : undefined;
  // With no live MeshConfig to merge onto, the file's partial spec lacks what the bootstrap's object has: meshconfig-missing speaks once.
  const noMergeTarget = resource.kind === 'MeshConfig' && (!placed || context.live.meshConfig === undefined);
  const violations = validateOpenApi(lookup.schema, merged ?? object).filter((v) => !coveredByPipyscriptRule(resource, v) && !(noMergeTarget && v.code === 'schema-required'));
  const shown = (list: readonly SchemaViolation[]): Finding[] =>
    list.map((violation) => findingAt(resource, violation.path, 'error', violation.code, merged ? mergedMessage(violation, object) : violation.message));
  // A MeshConfig in another version than the cluster stores: the live object's fields that version lacks are one
  // finding at apiVersion, not one per field.
  const older = merged && lookup.storageVersion !== undefined && apiVersionOnly(object.apiVersion) !== lookup.storageVersion;
  const dropped = older ? violations.filter((v) => v.code === 'schema-unknown-field' && getAt(object, v.path) === undefined) : [];
  if (dropped.length === 0) return shown(violations);
  return [
    findingAt(resource, ['apiVersion'], 'error', 'schema-unknown-field', olderVersionMessage(object.apiVersion, lookup.storageVersion!, dropped)),
    ...shown(violations.filter((v) => !dropped.includes(v))),
  ];
}

const NAMED_FIELDS = 4;

/**
 * A MeshConfig written in another version than the cluster stores (an older one): the API server serves it through that
 * version's schema, which lacks fields the live object has, and an apply through it drops them (the CRD converts
 * versions by renaming only, and prunes what the served version does not know: Kubernetes API, "Versions in
 * CustomResourceDefinitions").
 */
function olderVersionMessage(apiVersion: string, storageVersion: string, dropped: readonly SchemaViolation[]): string {
  const paths = dropped.map((v) => formatPath(v.path));
  const named = paths.slice(0, NAMED_FIELDS).join(', ') + (paths.length > NAMED_FIELDS ? ` and ${paths.length - NAMED_FIELDS} more` : '');
  return `apiVersion ${apiVersion} is not the version the cluster stores MeshConfig in (${storageVersion}), and lacks ${paths.length} field(s) the live MeshConfig has (${named}): applying through it would drop them. Use apiVersion ${apiGroup(apiVersion)}/${storageVersion}`;
}

/** Errors in a merged MeshConfig may come from the live object; say so when the repository file is not where the value is. */
function mergedMessage(violation: SchemaViolation, repoObject: unknown): string {
  if (violation.code === 'schema-required') return `${violation.message}: neither this file nor the live MeshConfig it is merged onto sets it`;
  if (getAt(repoObject, violation.path) !== undefined) return violation.message;
  return `${violation.message} (at ${formatPath(violation.path)} of the live MeshConfig this file is merged onto)`;
}

const PIPYSCRIPT: JsonPath = ['spec', 'pipyscript'];

function coveredByPipyscriptRule(resource: ManagedResource, violation: SchemaViolation): boolean {
  return resource.kind === 'Plugin' && violation.code === 'schema-required' && formatPath(violation.path) === formatPath(PIPYSCRIPT);
}
