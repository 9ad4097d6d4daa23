import { plural } from '../core/plural.ts';
import type { Finding, Severity } from '../core/finding.ts';
import type { JsonValue } from '../core/json.ts';
import type { OmittedFindings } from '../plan/finding-caps.ts';
import type { ChangeAction, EnvironmentPlan, ResourceChange } from '../plan/plan-types.ts';

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/**
 * Changes by action, a pending one (ResourceChange.pending: a change apply does not make, such as a values change
 * without chart upgrades) counted as `pending` only: the counts of create, update and delete are what apply does.
 */
export function countByAction(changes: readonly ResourceChange[]): Record<ChangeAction | 'pending', number> {
  const counts: Record<ChangeAction | 'pending', number> = { create: 0, update: 0, delete: 0, unchanged: 0, pending: 0 };
  for (const c of changes) counts[c.pending && c.action !== 'unchanged' ? 'pending' : c.action]++;
  return counts;
}

/** Whether applying the plan changes anything: a change that is neither unchanged nor pending. */
export function hasChangesToApply(changes: readonly ResourceChange[]): boolean {
  return changes.some((c) => c.action !== 'unchanged' && !c.pending);
}

const SEVERITIES = ['error', 'warning', 'notice'] as const;
const count = (n: number): string => n.toLocaleString('en-US');

/** Codes named in an omitted-findings sentence; the others are counted as "N other codes". */
const CODES_NAMED = 5;

/**
 * The one sentence every output (text, Markdown, check run) says about findings left out past the caps:
 * `… and 99,950 more findings in plugins/x.yaml (99,950 errors; codes: manifest-invalid ×99,950)`.
 * `file` quotes a file name for where the sentence lands (a code span, plain text).
 */
export function omittedSentence(o: OmittedFindings, file: (name: string) => string): string {
  const where = o.file !== undefined ? `in ${file(o.file)}` : o.files > 0 ? `in ${count(o.files)} other files` : 'without a file';
  const severities = SEVERITIES.filter((s) => o.severities[s] > 0).map((s) => `${count(o.severities[s])} ${s}${o.severities[s] === 1 ? '' : 's'}`);
  const codes = o.codes.slice(0, CODES_NAMED).map((c) => `${c.code} ×${count(c.count)}`);
  if (o.codes.length > CODES_NAMED) codes.push(`${o.codes.length - CODES_NAMED} other codes`);
  return `… and ${count(o.count)} more finding${o.count === 1 ? '' : 's'} ${where} (${severities.join(', ')}; codes: ${codes.join(', ')})`;
}

/** An environment's findings by severity, those left out past the caps (plan.omittedFindings) included. */
export function countAllFindings(plan: EnvironmentPlan): Record<Severity, number> {
  const s = countBySeverity(plan.findings);
  for (const o of plan.omittedFindings ?? []) for (const severity of SEVERITIES) s[severity] += o.severities[severity];
  return s;
}

/** `2 to create, 1 to update, 1 to delete, 1 pending · 1 workload to restart · 0 errors, 2 warnings` */
export function summaryLine(plan: EnvironmentPlan): string {
  const a = countByAction(plan.changes);
  const s = countAllFindings(plan);
  const pending = a.pending > 0 ? `, ${a.pending} pending` : '';
  const changes = a.create + a.update + a.delete === 0 ? `no changes${pending ? ' to apply' : ''}${pending}` : `${a.create} to create, ${a.update} to update, ${a.delete} to delete${pending}`;
  const restarts = plan.restarts.length > 0 ? ` · ${plural(plan.restarts.length, 'workload')} to restart` : '';
  return `${changes}${restarts} · ${plural(s.error, 'error')}, ${plural(s.warning, 'warning')}, ${plural(s.notice, 'notice')}`;
}

export function resourceTitle(change: ResourceChange): string {
  return `${change.kind} ${change.namespace ? `${change.namespace}/` : ''}${change.name}`;
}

export function showValue(value: JsonValue | undefined): string {
  if (value === undefined) return '(unset)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * A field's before and after as showValue shows them; when both are cut and their first 60 or more
 * characters are the same (a long JSON string changed inside), each is shown from shortly before the first
 * character where they differ, so the two differ on the page too.
 */
export function showValues(before: JsonValue | undefined, after: JsonValue | undefined): [string, string] {
  const a = before === undefined ? undefined : JSON.stringify(before);
  const b = after === undefined ? undefined : JSON.stringify(after);
  if (a === undefined || b === undefined || a.length <= 80 || b.length <= 80) return [showValue(before), showValue(after)];
  let same = 0;
  while (same < a.length && same < b.length && a[same] === b[same]) same++;
  if (same < 60) return [showValue(before), showValue(after)];
  const from = same - 20;
  const window = (text: string): string => {
    const rest = text.slice(from);
    return `...${rest.length > 74 ? `${rest.slice(0, 71)}...` : rest}`;
  };
  return [window(a), window(b)];
}

export const ACTION_SYMBOL: Record<ChangeAction, string> = { create: '+', update: '~', delete: '-', unchanged: '=' };

/** Characters of a finding's message a PR comment or check run summary shows (the annotation has up to 64 KB). */
export const MESSAGE_SHOWN = 1_000;
/** Names listed where a list of resources or workloads can be long; the others are counted. */
export const NAMES_LISTED = 20;

/** `a`, `b`, `c` and 17 more: at most NAMES_LISTED names, each quoted by `quote`. */
export function namesList(names: readonly string[], quote: (name: string) => string): string {
  const shown = names.slice(0, NAMES_LISTED).map(quote).join(', ');
  return names.length > NAMES_LISTED ? `${shown} and ${(names.length - NAMES_LISTED).toLocaleString('en-US')} more` : shown;
}
