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
import type { ApplyInterruption } from './apply-interruption.ts';
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
  /** Ctrl-C's: its signal stops the apply (applyEnvironment's `signal`), and it sets the exit code. */
  interruption?: ApplyInterruption | undefined;
  yes: boolean;
  output: string | undefined;
  format: Format;
  noColor: boolean;
  /** -q: no progress on stderr (the context line, the steps as they run); the steps are listed on stdout at the end. */
  quiet?: boolean;
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
  if (!run.quiet) io.stderr(`${says}\n`);
  const color = wantsColor(io, run.noColor);
  // With --yes, the plan is printed while the writes start (progress held until then): plan-shown-while-applying.ts.
  let shown: PlanShownWhileApplying | undefined;
  // A 401 or RBAC's 403 (the lock is the first request): said as what it is, naming the server.
  const outcome = await stoppedBeforeWrites(applyEnvironment({
    repo: run.repo,
    config,
    environment: environment.name,
    client,
    commit: run.commit,
    actor: run.actor,
    lockWaitSeconds: run.lockWaitSeconds,
    deadline: run.deadline,
    ahead,
    signal: run.interruption?.signal,
    progress: run.quiet ? undefined : (message) => (shown ?? io).stderr(`${message}\n`),
    warn: (warning) => (shown ?? io).stderr(`fsm-gitops: warning: ${warning}\n`),
    async confirm(plan, notices) {
      if (run.yes) {
        shown = new PlanShownWhileApplying(plan, io, color);
        for (const notice of notices) shown.stderr(`fsm-gitops: warning: ${notice}\n`);
        return true;
      }
      io.stdout(renderText({ environments: [plan] }, { color }));
      for (const notice of notices) io.stderr(`fsm-gitops: warning: ${notice}\n`);
      const answer = await io.ask(`\nApply these changes to ${environment.name} (context "${choice.context}", ${client.server})? Only 'yes' is accepted: `, run.interruption?.signal);
      return answer.trim() === 'yes';
    },
  })
    .catch((error: unknown) => {
      const credentials = credentialFailure(error, client.server);
      const failure = credentials ? new LiveStateError(credentials) : error;
      // applyEnvironment throws only before its first write (once it wrote, the outcome says what happened).
      if (failure instanceof Error && !run.interruption?.signal.aborted) failure.message = `${failure.message}; nothing was applied`;
      throw failure;
    })
    .finally(async () => {
      await shown?.done();
      run.kubeconfig.close();
    }), run.interruption);
  if (typeof outcome === 'number') {
    io.stderr(`fsm-gitops: apply stopped: ${(run.interruption?.signal.reason as Error).message}: nothing was applied.\n`);
    return outcome;
  }
  const interrupted = run.interruption?.exitCode();
  const code = report(outcome, io, color, interrupted, run.quiet);
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

/**
 * The outcome, or the interrupt's exit code when an interrupt stopped the apply before it wrote (applyEnvironment
 * then rejects: with the interrupt's reason, or with the error of the read it cut short).
 */
async function stoppedBeforeWrites(outcome: Promise<ApplyOutcome>, interruption: ApplyInterruption | undefined): Promise<ApplyOutcome | number> {
  try {
    return await outcome;
  } catch (error) {
    const code = interruption?.exitCode();
    if (code === undefined) throw error;
    return code;
  }
}

/**
 * Says how the apply ended (stdout: what was done; stderr: warnings and failures) and returns the exit code;
 * `interrupted`: the exit code of an interrupt that came during the writes, which an apply it stopped ends with.
 */
function report(outcome: ApplyOutcome, io: CliIo, color: boolean, interrupted?: number, quiet = false): number {
  const warn = (): void => outcome.warnings.forEach((warning) => io.stderr(`fsm-gitops: warning: ${warning}\n`));
  switch (outcome.status) {
    case 'refused':
      io.stdout(renderText({ environments: [outcome.plan] }, { color }));
      warn();
      io.stderr(`fsm-gitops: not applied: ${outcome.reason}\n`);
      return EXIT.findings;
    case 'no-changes':
      io.stdout(`${outcome.plan.name}: nothing to apply, the cluster matches the repository.\n`);
      warn();
      return EXIT.ok;
    case 'declined':
      warn();
      io.stderr('Not applied: only "yes" goes ahead.\n');
      return EXIT.declined;
    case 'done': {
      const { result } = outcome;
      // On a terminal, or when both streams go to one log, stderr's progress has just shown each step (unless
      // -q): listed again on stdout it would show twice.
      if (quiet || !((io.stdoutIsTty && io.stderrIsTty) || io.sameOutput)) for (const step of result.done) io.stdout(`  ${step}\n`);
      for (const step of result.uncertain) io.stdout(`  ${step} (no answer from the API server: may or may not have happened)\n`);
      if (result.helm) io.stdout(`${describeRevisions(result.helm)}\n`);
      warn();
      if (result.result === 'applied') {
        // A chart upgrade is one step however many of the plan's changes it makes: say so, or the counts disagree.
        const upgraded = result.helm ? ' (the chart upgrade, with all the plan\'s chart changes, counts as one)' : '';
        io.stdout(`Applied ${plural(result.done.length, 'change')} to ${outcome.plan.name}${upgraded}.\n`);
        if (result.message) io.stderr(`fsm-gitops: warning: ${result.message}\n`);
        if (interrupted !== undefined) io.stderr('fsm-gitops: the interrupt came after the last write: the apply had finished.\n');
        return EXIT.ok;
      }
      io.stderr(`fsm-gitops: apply ${interrupted === undefined ? 'failed' : 'stopped'}: ${result.message ?? ''}\n`);
      for (const problem of result.notUndone) io.stderr(`  not undone: ${problem}\n`);
      return interrupted ?? EXIT.failed;
    }
  }
}
