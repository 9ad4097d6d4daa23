import type { Plan } from '../plan/plan-types.ts';

/**
 * The machine-readable plan: `{ environments: [{ name, changes, findings, findingsOmitted, ... }] }`, findings with
 * null for absent places; `findingsOmitted` counts the findings left out past the caps (src/plan/finding-caps.ts),
 * per file (`file` null for those without one, or for `files` > 0 files counted together).
 */
export function renderJson(plan: Plan): string {
  const environments = plan.environments.map((env) => ({
    name: env.name,
    path: env.path,
    liveSource: env.liveSource,
    changes: env.changes,
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
  return `${JSON.stringify({ environments }, null, 2)}\n`;
}
