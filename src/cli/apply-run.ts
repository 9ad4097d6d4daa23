import { plural } from '../core/plural.ts';
import { describeRevisions } from '../apply/chart-apply.ts';
import type { EnvironmentConfig, RepoConfig } from '../config/repo-config.ts';
import type { RepoFiles } from '../desired/repo-files.ts';
import { credentialFailure } from '../kube/credential-failure.ts';
import { LiveStateError } from '../live/live-state.ts';
import { renderText } from '../render/text.ts';
import { applyEnvironment, withRollbackGrace, type ApplyOutcome } from '../workflow/apply-environment.ts';
import { findEnvironment, requireRepoConfig } from '../workflow/plan-repository.ts';
import type { ApplyHeadStart } from './apply-head-start.ts';
import { APPLY_EXIT_MEANING, EXIT } from './exit-codes.ts';
import type { Format } from './format-choice.ts';
import { wantsColor, type CliIo } from './io.ts';
import type { KubeconfigFlags } from './kube-flags.ts';
import { writeFileAtomically } from './output-file.ts';
import { renderPlan } from './output-format.ts';
import { PlanShownWhileApplying } from './plan-shown-while-applying.ts';

export interface ApplyRun {
  repo: RepoFiles;
  /** --env. */
  environment: string;
  kubeconfig: KubeconfigFlags;
  /** What apply-command.ts started before loading this module; undefined when it started nothing. */
  headStart: ApplyHeadStart | undefined;
  commit: string;
  actor: string;
  lockWaitSeconds: number;
  /** Epoch ms: --timeout's end. */
  deadline: number;
  yes: boolean;
  output: string | undefined;
  format: Format;
  noColor: boolean;
}

/**
 * The part of `fsm-gitops apply` after its flags are checked and its head start sent (apply-command.ts): reads
 * and validates the config, chooses the environment's context, applies it (applyEnvironment, taking over the
 * Lease and the read started ahead), says how it ended and returns the exit code. The head start is let go
 * (its read ended, its Lease deleted) before any error is raised, and the connections are closed at the end.
 * A module of its own: the apply workflow it loads is most of the CLI's code.
 */
export async function runApply(run: ApplyRun, io: CliIo): Promise<number> {
  const { environment, config, chosen, ahead } = await chooseEnvironment(run, io);
  const { client, choice, says } = chosen;
  io.stderr(`${says}\n`);
  const color = wantsColor(io, run.noColor);
  // With --yes, the plan is printed while the writes start (progress held until then): plan-shown-while-applying.ts.
  let shown: PlanShownWhileApplying | undefined;
  // A 401 or RBAC's 403 (the lock is the first request): said as what it is, naming the server.
  const outcome = await applyEnvironment({
    repo: run.repo,
    config,
    environment: environment.name,
    client,
    commit: run.commit,
    actor: run.actor,
    lockWaitSeconds: run.lockWaitSeconds,
    deadline: run.deadline,
    ahead,
    progress: (message) => (shown ?? io).stderr(`${message}\n`),
    async confirm(plan) {
      if (run.yes) {
        shown = new PlanShownWhileApplying(plan, io, color);
        return true;
      }
      io.stdout(renderText({ environments: [plan] }, { color }));
      const answer = await io.ask(`\nApply these changes to ${environment.name} (context "${choice.context}", ${client.server})? Only 'yes' is accepted: `);
      return answer.trim() === 'yes';
    },
  })
    .catch((error: unknown) => {
      const credentials = credentialFailure(error, client.server);
      throw credentials ? new LiveStateError(credentials) : error;
    })
    .finally(async () => {
      await shown?.done();
      run.kubeconfig.close();
    });
  const code = report(outcome, io, color);
  if (run.output !== undefined) {
    const exit = { code, meaning: APPLY_EXIT_MEANING[code as keyof typeof APPLY_EXIT_MEANING] };
    await writeFileAtomically(run.output, renderPlan({ environments: [outcome.plan] }, run.format, exit, false));
    io.stderr(`The plan and the outcome are in ${run.output} (${run.format}).\n`);
  }
  return code;
}

interface Chosen {
  config: RepoConfig;
  environment: EnvironmentConfig;
  chosen: ApplyHeadStart['chosen'];
  /** The head start, when it is for this environment. */
  ahead: ApplyHeadStart | undefined;
}

/**
 * The validated config, the environment and its context, in the order their errors were always raised: the
 * config's, the environment's, the context's. A head start for another environment (the peek and the
 * validated config disagree), or any error here, lets it go first; an error closes the connections too.
 */
async function chooseEnvironment(run: ApplyRun, io: CliIo): Promise<Chosen> {
  const { headStart } = run;
  let environment: EnvironmentConfig;
  let config: RepoConfig;
  try {
    config = await requireRepoConfig(run.repo);
    environment = findEnvironment(config, run.environment);
    run.kubeconfig.requireEnvironments(config);
    if (headStart?.isFor(environment)) return { config, environment, chosen: headStart.chosen, ahead: headStart };
  } catch (error) {
    await letGo(headStart, io);
    run.kubeconfig.close();
    throw error;
  }
  await letGo(headStart, io);
  try {
    return { config, environment, chosen: run.kubeconfig.forEnvironment(environment), ahead: undefined };
  } catch (error) {
    run.kubeconfig.close();
    throw error;
  }
}

async function letGo(headStart: ApplyHeadStart | undefined, io: CliIo): Promise<void> {
  const warning = await headStart?.abandon(withRollbackGrace(headStart.chosen.client));
  if (warning) io.stderr(`fsm-gitops: warning: ${warning}\n`);
}

/** Says how the apply ended (stdout: what was done; stderr: warnings and failures) and returns the exit code. */
function report(outcome: ApplyOutcome, io: CliIo, color: boolean): number {
  switch (outcome.status) {
    case 'refused':
      io.stdout(renderText({ environments: [outcome.plan] }, { color }));
      io.stderr(`fsm-gitops: not applied: ${outcome.reason}\n`);
      return EXIT.findings;
    case 'no-changes':
      io.stdout(`${outcome.plan.name}: nothing to apply, the cluster matches the repository.\n`);
      return EXIT.ok;
    case 'declined':
      io.stderr('Not applied: only "yes" goes ahead.\n');
      return EXIT.declined;
    case 'done': {
      const { result } = outcome;
      // On a terminal, or when both streams go to one log, stderr's progress has just shown each step: listed
      // again on stdout it would show twice.
      if (!((io.stdoutIsTty && io.stderrIsTty) || io.sameOutput)) for (const step of result.done) io.stdout(`  ${step}\n`);
      for (const step of result.uncertain) io.stdout(`  ${step} (no answer from the API server: may or may not have happened)\n`);
      if (result.helm) io.stdout(`${describeRevisions(result.helm)}\n`);
      for (const warning of outcome.warnings) io.stderr(`fsm-gitops: warning: ${warning}\n`);
      if (result.result === 'applied') {
        io.stdout(`Applied ${plural(result.done.length, 'change')} to ${outcome.plan.name}.\n`);
        if (result.message) io.stderr(`fsm-gitops: warning: ${result.message}\n`);
        return EXIT.ok;
      }
      io.stderr(`fsm-gitops: apply failed: ${result.message ?? ''}\n`);
      for (const problem of result.notUndone) io.stderr(`  not undone: ${problem}\n`);
      return EXIT.failed;
    }
  }
}
