import type { RuleCode } from './rule-codes.ts';

export type Severity = 'error' | 'warning' | 'notice';

export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

/** Something the plan has to say about a change: always with a stable code, and a place when there is one. */
export interface Finding {
  severity: Severity;
  code: RuleCode;
  message: string;
  /** Repository-relative file, when the finding belongs to one. */
  file?: string;
  line?: number;
  column?: number;
  /** Dotted JSON path inside the document, e.g. `spec.traffic.enableEgress`. */
  path?: string;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      a.code.localeCompare(b.code),
  );
}
