import type { Finding } from '../../core/finding.ts';
import { findingAt } from '../../core/findings.ts';
import { formatPath, getAt, type JsonPath } from '../../core/json.ts';
import { validateOpenApi } from '../../schema/openapi.ts';
import type { SchemaViolation } from '../../schema/violation.ts';
import type { ManagedResource, PlanContext, Rule } from './rule.ts';

/**
 * Each resource against its CRD's openAPIV3Schema, from the cluster itself. The MeshConfig is checked
 * as it will be once merged onto the live object, since the repository may hold a partial spec.
 */
export const schemaRule: Rule = {
  name: 'schema',
  check(context) {
    return context.managed.flatMap((resource) => checkResource(context, resource));
  },
};

function checkResource(context: PlanContext, resource: ManagedResource): Finding[] {
  const { object } = resource;
  const lookup = context.schemas.lookup(object.apiVersion, object.kind);
  if (!lookup.ok) return [findingAt(resource, ['apiVersion'], 'error', 'schema-unavailable', lookup.reason)];
  const merged = resource.kind === 'MeshConfig' ? context.effectiveMeshConfig : undefined;
  // With no live MeshConfig to merge onto, the file's partial spec lacks what the bootstrap's object has: meshconfig-missing speaks once.
  const noMergeTarget = resource.kind === 'MeshConfig' && context.live.meshConfig === undefined;
  const violations = validateOpenApi(lookup.schema, merged ?? object).filter((v) => !coveredByPipyscriptRule(resource, v) && !(noMergeTarget && v.code === 'schema-required'));
  return violations.map((violation) => findingAt(resource, violation.path, 'error', violation.code, merged ? mergedMessage(violation, object) : violation.message));
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
