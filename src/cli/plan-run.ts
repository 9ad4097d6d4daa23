import { hasErrors } from '../core/finding.ts';
import type { RepoFiles } from '../desired/repo-files.ts';
import type { LiveStateChoice } from './live-state-choice.ts';
import type { Plan } from '../plan/plan-types.ts';
import { planRepository } from '../workflow/plan-repository.ts';
import { EXIT, PLAN_EXIT_MEANING } from './exit-codes.ts';
import { writeFileAtomically } from './output-file.ts';
import { renderPlan } from './output-format.ts';
import type { Format } from './format-choice.ts';
import { hasChangesToApply, summaryLine } from '../render/summary.ts';
import { wantsColor, type CliIo } from './io.ts';
import { requireFormEnvironments, type EnvironmentForm } from './per-environment-flag.ts';

export interface PlanRun {
  repo: RepoFiles;
  environments: string[];
  live: LiveStateChoice;
  format: Format;
  output: string | undefined;
  detailedExitcode: boolean;
  noColor: boolean;
  quiet: boolean;
  /** The flags' ENV=VALUE forms (--cluster, --context): each must name an environment of the config. */
  environmentForms: EnvironmentForm[];
}

/**
 * The part of `fsm-gitops plan` after its flags are checked and its live state chosen: plans the repository
 * (closing the live state's connections after), writes the plan to stdout or --output, and returns the exit code.
 * A module of its own: the planning code it loads is most of the CLI's, loaded while a cluster's read is answered.
 */
export async function runPlan(run: PlanRun, io: CliIo): Promise<number> {
  const { plan } = await planRepository({
    repo: run.repo,
    environments: run.environments,
    liveStateFor: run.live.liveStateFor,
    checkConfig: (config) => requireFormEnvironments(config, run.environmentForms),
    progress: run.quiet || !io.stderrIsTty ? undefined : (message) => io.stderr(`${message}\n`),
  }).finally(run.live.close);
  const code = exitCode(plan, run.detailedExitcode);
  const exit = { code, meaning: PLAN_EXIT_MEANING[code as keyof typeof PLAN_EXIT_MEANING] };
  if (run.output === undefined) {
    io.stdout(renderPlan(plan, run.format, exit, wantsColor(io, run.noColor)));
    return code;
  }
  await writeFileAtomically(run.output, renderPlan(plan, run.format, exit, false));
  for (const env of plan.environments) io.stdout(`${env.name}: ${summaryLine(env)}\n`);
  io.stdout(`Plan written to ${run.output} (${run.format}).\n`);
  return code;
}

export function exitCode(plan: Plan, detailed: boolean): number {
  if (plan.environments.some((e) => hasErrors(e.findings))) return EXIT.findings;
  // A pending change (a values change without chart upgrades) is not one apply makes: no reason to run it.
  const changes = plan.environments.some((e) => hasChangesToApply(e.changes));
  return detailed && changes ? EXIT.changes : EXIT.ok;
}
