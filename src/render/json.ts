import type { Plan, ResourceChange } from '../plan/plan-types.ts';
import type { Severity } from '../core/finding.ts';
import { countAllFindings, countByAction } from './summary.ts';

/** The exit code the run ends with, and what it means (src/cli/exit-codes.ts). */
export interface JsonExit {
  code: number;
  meaning: string;
}

/**
 * The machine-readable plan (README, "JSON output"):
 * `{ summary, environments: [{ name, path, liveSource, summary, changes, restarts, findings, findingsOmitted }] }`.
 * `summary` counts changes by action, findings by severity and workloads to restart, over all
 * environments, with the exit code when `exit` is given. A change carries what changes, not the live
 * object: its identity, file and line, `fields` (each changed field's path and redacted before/after) and,
 * for a create only, `after`: the object as it will be applied (from the repository, redacted). No status,
 * managedFields, annotations or Helm release data of the live object. Absent places are null.
 * `findingsOmitted` counts the findings left out past the caps (src/plan/finding-caps.ts), per file (`file` null
 * for findings without one, or when `files` > 0 files are counted together); both summaries count them too.
 */
export function renderJson(plan: Plan, exit?: JsonExit): string {
  const environments = plan.environments.map((env) => ({
    name: env.name,
    path: env.path,
    liveSource: env.liveSource,
    summary: { changes: countByAction(env.changes), findings: countAllFindings(env), restarts: env.restarts.length },
    changes: env.changes.map(changeJson),
    restarts: env.restarts,
    findings: env.findings.map((f) => ({
      severity: f.severity,
      code: f.code,
      file: f.file ?? null,
      line: f.line ?? null,
      column: f.column ?? null,
      path: f.path ?? null,
      message: f.message,
    })),
    findingsOmitted: (env.omittedFindings ?? []).map((o) => ({ file: o.file ?? null, files: o.files, count: o.count, severities: o.severities, codes: o.codes })),
  }));
  const summary = {
    environments: environments.length,
    changes: countByAction(plan.environments.flatMap((e) => e.changes)),
    findings: sumCounts(plan.environments.map(countAllFindings)),
    restarts: plan.environments.reduce((n, e) => n + e.restarts.length, 0),
    ...(exit ? { exitCode: exit.code, exitMeaning: exit.meaning } : {}),
  };
  return `${JSON.stringify({ summary, environments }, null, 2)}\n`;
}

function changeJson(change: ResourceChange) {
  return {
    action: change.action,
    kind: change.kind,
    apiVersion: change.apiVersion,
    name: change.name,
    namespace: change.namespace ?? null,
    file: change.file ?? null,
    line: change.line ?? null,
    pending: change.pending ?? null,
    rollout: change.rollout ?? false,
    fields: change.fields,
    ...(change.action === 'create' && change.after ? { after: change.after } : {}),
  };
}

function sumCounts(counts: readonly Record<Severity, number>[]): Record<Severity, number> {
  const total: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  for (const c of counts) for (const severity of Object.keys(total) as Severity[]) total[severity] += c[severity];
  return total;
}
