import type { Finding, Severity } from '../core/finding.ts';
import type { JsonValue } from '../core/json.ts';
import type { ChangeAction, EnvironmentPlan, ResourceChange } from '../plan/plan-types.ts';

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export function countByAction(changes: readonly ResourceChange[]): Record<ChangeAction, number> {
  const counts: Record<ChangeAction, number> = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const c of changes) counts[c.action]++;
  return counts;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `2 to create, 1 to update, 1 to delete · 1 workload to restart · 0 errors, 2 warnings` */
export function summaryLine(plan: EnvironmentPlan): string {
  const a = countByAction(plan.changes);
  const s = countBySeverity(plan.findings);
  const changes = a.create + a.update + a.delete === 0 ? 'no changes' : `${a.create} to create, ${a.update} to update, ${a.delete} to delete`;
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

export const ACTION_SYMBOL: Record<ChangeAction, string> = { create: '+', update: '~', delete: '-', unchanged: '=' };
