import type { Finding } from '../core/finding.ts';
import { findingAt } from '../core/findings.ts';
import { formatPath, type PathSegment } from '../core/json.ts';
import { objectKey } from '../core/kube.ts';
import type { RuleCode } from '../core/rule-codes.ts';
import type { ManagedResource } from '../fsm/rules/rule.ts';
import type { DryRunOutcome } from '../live/live-state.ts';

const CODE_BY_REASON: Record<string, RuleCode> = {
  FieldValueRequired: 'schema-required',
  FieldValueNotSupported: 'schema-enum',
  FieldValueTypeInvalid: 'schema-type',
  FieldValueInvalid: 'schema-constraint',
  FieldValueDuplicate: 'schema-list-key-duplicate',
};

/**
 * The API server's refusals of a dry run, as findings at the repository lines of the fields they name.
 * A field fsm-gitops already reported is not reported twice.
 */
export function dryRunFindings(resources: readonly ManagedResource[], outcomes: ReadonlyMap<string, DryRunOutcome>, local: readonly Finding[]): Finding[] {
  const seen = new Set(local.map((f) => `${f.file}|${f.path ?? ''}`));
  const findings: Finding[] = [];
  for (const resource of resources) {
    const outcome = outcomes.get(objectKey(resource.object));
    if (!outcome || outcome.ok) continue;
    const causes = outcome.causes.filter((c) => c.field);
    if (causes.length === 0) {
      findings.push(findingAt(resource, ['kind'], 'error', 'server-rejected', `the API server refuses this ${resource.kind} (dry run, HTTP ${outcome.status}): ${outcome.message}`));
      continue;
    }
    for (const cause of causes) {
      const path = parseFieldPath(cause.field ?? '');
      if (seen.has(`${resource.file}|${formatPath(path)}`)) continue;
      const code = CODE_BY_REASON[cause.reason ?? ''] ?? 'server-rejected';
      findings.push(findingAt(resource, path, 'error', code, `the API server refuses this (dry run): ${cause.field}: ${cause.message ?? cause.reason ?? 'invalid'}`));
    }
  }
  return findings;
}

/** `spec.chains[0].name` and `metadata.labels[app.kubernetes.io/name]`, as the API server writes field paths. */
export function parseFieldPath(field: string): PathSegment[] {
  const path: PathSegment[] = [];
  for (const match of field.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)) {
    if (match[1] !== undefined) path.push(match[1]);
    else if (match[2] !== undefined) path.push(/^\d+$/.test(match[2]) ? Number(match[2]) : match[2]);
  }
  return path;
}
