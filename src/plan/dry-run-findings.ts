import type { Finding } from '../core/finding.ts';
import { findingAt } from '../core/findings.ts';
import { formatPath, getAt, pathAtOrUnder, type PathSegment } from '../core/json.ts';
import { objectKey, type KubeObject } from '../core/kube.ts';
import { FIELD_MANAGER } from '../core/ownership.ts';
import type { RuleCode } from '../core/rule-codes.ts';
import type { ManagedResource } from '../fsm/rules/rule.ts';
import type { DryRunOutcome, DryRunRejection } from '../live/live-state.ts';
import { ownersOf } from './managed-fields.ts';
import { parseTypedPatchFailure, resolveTypedPath } from './typed-patch-path.ts';

const CODE_BY_REASON: Record<string, RuleCode> = {
  FieldValueRequired: 'schema-required',
  FieldValueNotSupported: 'schema-enum',
  FieldValueTypeInvalid: 'schema-type',
  FieldValueInvalid: 'schema-constraint',
  FieldValueDuplicate: 'schema-list-key-duplicate',
};

/** Server-side apply's typed-patch details (sigs.k8s.io/structured-merge-diff), as local check codes. */
const CODE_BY_TYPED_DETAIL: [RegExp, RuleCode][] = [
  [/field not declared in schema/, 'schema-unknown-field'],
  [/^expected /, 'schema-type'],
];

/**
 * The API server's refusals of a dry run, as findings at the repository lines of the fields they name:
 * the Status causes' fields (a 422), or the field of a typed-patch failure (a 500 "failed to create typed
 * patch object: .spec.prioriy: field not declared in schema"); a refusal naming no field is
 * `server-rejected` at the object's kind line. A field fsm-gitops already reported is not reported twice, nor a
 * field inside which it reported something: the API server names `metadata.labels` for a bad label key that
 * the local check placed at `metadata.labels.<key>`. A required field the file leaves out that fsm-gitops applied
 * before (`live`, by object key: its managedFields) is said to be removed by this apply, and how to keep it.
 */
export function dryRunFindings(resources: readonly ManagedResource[], outcomes: ReadonlyMap<string, DryRunOutcome>, local: readonly Finding[], live: ReadonlyMap<string, KubeObject>): Finding[] {
  const seen = new Set(local.map((f) => `${f.file}|${f.path ?? ''}`));
  const findings: Finding[] = [];
  for (const resource of resources) {
    const outcome = outcomes.get(objectKey(resource.object));
    if (!outcome || outcome.ok) continue;
    const typed = typedPatchFinding(resource, outcome);
    if (typed) {
      if (!seen.has(`${resource.file}|${typed.path ?? ''}`)) findings.push(typed);
      continue;
    }
    const causes = outcome.causes.filter((c) => c.field);
    if (causes.length === 0) {
      findings.push(findingAt(resource, ['kind'], 'error', 'server-rejected', `the API server refuses this ${resource.kind} (dry run, HTTP ${outcome.status}): ${outcome.message}`));
      continue;
    }
    for (const cause of causes) {
      const path = parseFieldPath(cause.field ?? '');
      if (reportedAtOrBelow(local, resource.file, formatPath(path))) continue;
      const code = (cause.reason !== undefined && Object.hasOwn(CODE_BY_REASON, cause.reason) ? CODE_BY_REASON[cause.reason] : undefined) ?? 'server-rejected';
      const removed = code === 'schema-required' && removesOwnField(resource.object, live.get(objectKey(resource.object)), path) ? REMOVED_HINT : '';
      findings.push(findingAt(resource, path, 'error', code, `the API server refuses this (dry run): ${cause.field}: ${cause.message ?? cause.reason ?? 'invalid'}${removed}`));
    }
  }
  return findings;
}

/** Why a field the file never mentions is required: an earlier apply set it, and leaving it out removes it. */
const REMOVED_HINT = '. fsm-gitops applied this field before and this file leaves it out, so the apply would remove it (server-side apply removes a field its manager stops setting): keep it in the file; if the default branch has it, bring this branch up to date';

/**
 * Whether applying `applied` removes the field at `path` from `live`: the file does not set it, and the live
 * object has it from fsm-gitops's own apply (managedFields; Kubernetes docs, "Server-Side Apply").
 */
function removesOwnField(applied: KubeObject, live: KubeObject | undefined, path: readonly PathSegment[]): boolean {
  return live !== undefined && getAt(applied, path) === undefined && getAt(live, path) !== undefined && ownersOf(live, path).some((owner) => owner.manager === FIELD_MANAGER);
}

function reportedAtOrBelow(local: readonly Finding[], file: string, path: string): boolean {
  return local.some((f) => f.file === file && f.path !== undefined && pathAtOrUnder(f.path, path));
}

function typedPatchFinding(resource: ManagedResource, outcome: DryRunRejection): Finding | undefined {
  const failure = parseTypedPatchFailure(outcome.message);
  if (!failure) return undefined;
  const path = resolveTypedPath(resource.object, failure.field);
  const code = CODE_BY_TYPED_DETAIL.find(([pattern]) => pattern.test(failure.detail))?.[1] ?? 'server-rejected';
  return findingAt(resource, path, 'error', code, `the API server refuses this (dry run): ${formatPath(path) || failure.field}: ${failure.detail}`);
}

/** `spec.chains[0].name` and `metadata.labels[app.kubernetes.io/name]`, as the API server writes field paths. */
export function parseFieldPath(field: string): PathSegment[] {
  // One pass (a regular expression searching for `]` from every unclosed `[` was quadratic).
  const path: PathSegment[] = [];
  let closeLeft = true;
  for (let at = 0; at < field.length; ) {
    const c = field[at]!;
    if (c === '[' && closeLeft) {
      const close = field.indexOf(']', at + 1);
      closeLeft = close >= 0;
      if (closeLeft) {
        const inside = field.slice(at + 1, close);
        path.push(/^\d+$/.test(inside) ? Number(inside) : inside);
      }
      at = closeLeft ? close + 1 : at + 1;
    } else if (c === '.' || c === '[' || c === ']') at++;
    else {
      let end = at + 1;
      while (end < field.length && !'.[]'.includes(field[end]!)) end++;
      path.push(field.slice(at, end));
      at = end;
    }
  }
  return path;
}
