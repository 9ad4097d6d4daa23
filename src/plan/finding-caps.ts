import { SEVERITY_ORDER, type Finding, type Severity } from '../core/finding.ts';
import type { RuleCode } from '../core/rule-codes.ts';

/** Findings shown per file (and for findings without a file): the most severe first, as sorted. */
export const FINDINGS_PER_FILE = 50;
/** Findings shown per environment's plan, over all files. */
export const FINDINGS_PER_PLAN = 200;
/** Files named one by one in the omitted-findings summary; the others are counted together. */
export const OMITTED_FILES_NAMED = 20;

/**
 * Findings a plan left out past the caps, counted: for one file, for the findings without a file (`file`
 * absent, `files` 0), or for the files past `OMITTED_FILES_NAMED` taken together (`file` absent, `files` > 0).
 */
export interface OmittedFindings {
  file?: string;
  /** How many files this entry counts, when it is the entry of the files not named. */
  files: number;
  count: number;
  severities: Record<Severity, number>;
  /** Per code, how many: the most frequent first. */
  codes: { code: RuleCode; count: number }[];
}

/**
 * Holds a plan's findings to `FINDINGS_PER_FILE` per file and `FINDINGS_PER_PLAN` in all, so that a file
 * of 100,000 one-line documents cannot flood a terminal, a PR comment or a check run (2,000 requests of 50
 * annotations). `sorted` must be in `sortFindings` order (errors first): what is kept is the most severe,
 * so a plan with errors keeps at least one. Returns the kept findings, still sorted, and what was left out.
 */
export function capFindings(sorted: readonly Finding[]): { findings: Finding[]; omitted: OmittedFindings[] } {
  const perFile = new Map<string, number>();
  const kept: Finding[] = [];
  const left = new Map<string, Finding[]>();
  for (const finding of sorted) {
    const file = finding.file ?? '';
    const shown = perFile.get(file) ?? 0;
    if (shown < FINDINGS_PER_FILE && kept.length < FINDINGS_PER_PLAN) {
      perFile.set(file, shown + 1);
      kept.push(finding);
    } else {
      const group = left.get(file);
      if (group) group.push(finding);
      else left.set(file, [finding]);
    }
  }
  return { findings: kept, omitted: summarise(left) };
}

function summarise(left: ReadonlyMap<string, Finding[]>): OmittedFindings[] {
  const files = [...left.entries()].filter(([file]) => file !== '').sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b));
  const rest = files.slice(OMITTED_FILES_NAMED);
  const omitted: OmittedFindings[] = files.slice(0, OMITTED_FILES_NAMED).map(([file, findings]) => ({ file, ...counts(findings, 0) }));
  if (rest.length > 0) omitted.push(counts(rest.flatMap(([, findings]) => findings), rest.length));
  const withoutFile = left.get('');
  if (withoutFile) omitted.push(counts(withoutFile, 0));
  return omitted;
}

function counts(findings: readonly Finding[], files: number): OmittedFindings {
  const severities: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  const codes = new Map<RuleCode, number>();
  for (const f of findings) {
    severities[f.severity]++;
    codes.set(f.code, (codes.get(f.code) ?? 0) + 1);
  }
  return {
    files,
    count: findings.length,
    severities,
    codes: [...codes.entries()].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
  };
}

/** The most severe severity an omitted entry counts. */
export function worstSeverity(o: OmittedFindings): Severity {
  return (Object.keys(o.severities) as Severity[]).filter((s) => o.severities[s] > 0).sort((a, b) => SEVERITY_ORDER[a] - SEVERITY_ORDER[b])[0] ?? 'notice';
}
