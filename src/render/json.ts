import type { Plan } from '../plan/plan-types.ts';

/** The machine-readable plan: `{ environments: [{ name, changes, findings, ... }] }`, findings with null for absent places. */
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
  }));
  return `${JSON.stringify({ environments }, null, 2)}\n`;
}
