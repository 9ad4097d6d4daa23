import { execFile } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import { describeRevisions } from '../apply/chart-apply.ts';
import { FolderRepo } from '../desired/folder-repo.ts';
import { credentialFailure } from '../kube/credential-failure.ts';
import { LiveStateError } from '../live/live-state.ts';
import { renderText } from '../render/text.ts';
import { applyEnvironment, defaultActor, type ApplyOutcome } from '../workflow/apply-environment.ts';

/** --timeout's default: the whole apply, lock wait included (a rollback gets a minute more). */
const DEFAULT_TIMEOUT_SECONDS = 300;
import { findEnvironment, requireRepoConfig } from '../workflow/plan-repository.ts';
import { UsageError } from '../workflow/usage-error.ts';
import { APPLY_EXIT_MEANING, EXIT } from './exit-codes.ts';
import { writeFileAtomically } from './output-file.ts';
import { renderPlan } from './output-format.ts';
import { chooseFormat } from './format-choice.ts';
import { APPLY_HELP } from './help.ts';
import { wantsColor, type CliIo } from './io.ts';
import { KubeconfigFlags } from './kube-flags.ts';

export async function applyCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      repo: { type: 'string', default: '.' },
      env: { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string', multiple: true, default: [] },
      yes: { type: 'boolean', short: 'y', default: false },
      commit: { type: 'string' },
      actor: { type: 'string' },
      'lock-timeout': { type: 'string', default: '120' },
      timeout: { type: 'string', default: String(DEFAULT_TIMEOUT_SECONDS) },
      output: { type: 'string', short: 'o' },
      'no-color': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(APPLY_HELP);
    return EXIT.ok;
  }
  if (!values.env) throw new UsageError('say which environment to apply: --env NAME');
  if (!values.kubeconfig) throw new UsageError('apply needs the cluster: --kubeconfig PATH [--context NAME]');
  if (!values.yes && !io.stdinIsTty) throw new UsageError('apply asks for confirmation on a terminal; without one, pass --yes');
  const lockWaitSeconds = seconds('--lock-timeout', values['lock-timeout']);
  const timeoutSeconds = seconds('--timeout', values.timeout);
  const format = chooseFormat(undefined, values.output);
  if (timeoutSeconds === 0) throw new UsageError('--timeout must be more than 0 seconds');

  // git runs (its own processes) while the config is read; it never fails (`unknown` outside a checkout).
  const commit = values.commit ?? gitCommit(values.repo);
  const repo = new FolderRepo(values.repo);
  const kubeconfig = new KubeconfigFlags(values.kubeconfig, values.context);
  const config = await requireRepoConfig(repo);
  const { client, choice, says } = kubeconfig.forEnvironment(findEnvironment(config, values.env));
  io.stderr(`${says}\n`);
  const color = wantsColor(io, values['no-color']);
  // A 401 or RBAC's 403 (the lock is the first request): said as what it is, naming the server.
  const outcome = await applyEnvironment({
    repo,
    config,
    environment: values.env,
    client,
    commit: await commit,
    actor: values.actor ?? `fsm-gitops-cli/${defaultActor()}`,
    lockWaitSeconds,
    deadline: Date.now() + timeoutSeconds * 1000,
    progress: (message) => io.stderr(`${message}\n`),
    async confirm(plan) {
      io.stdout(renderText({ environments: [plan] }, { color }));
      if (values.yes) return true;
      const answer = await io.ask(`\nApply these changes to ${values.env} (context "${choice.context}", ${client.server})? Only 'yes' is accepted: `);
      return answer.trim() === 'yes';
    },
  })
    .catch((error: unknown) => {
      const credentials = credentialFailure(error, client.server);
      throw credentials ? new LiveStateError(credentials) : error;
    })
    .finally(() => client.close());
  const code = report(outcome, io, color);
  if (values.output !== undefined) {
    const exit = { code, meaning: APPLY_EXIT_MEANING[code as keyof typeof APPLY_EXIT_MEANING] };
    await writeFileAtomically(values.output, renderPlan({ environments: [outcome.plan] }, format, exit, false));
    io.stderr(`The plan and the outcome are in ${values.output} (${format}).\n`);
  }
  return code;
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
      // On a terminal, stderr's progress has just shown each step: listed again on stdout it would show twice.
      if (!(io.stdoutIsTty && io.stderrIsTty)) for (const step of result.done) io.stdout(`  ${step}\n`);
      for (const step of result.uncertain) io.stdout(`  ${step} (no answer from the API server: may or may not have happened)\n`);
      if (result.helm) io.stdout(`${describeRevisions(result.helm)}\n`);
      for (const warning of outcome.warnings) io.stderr(`fsm-gitops: warning: ${warning}\n`);
      if (result.result === 'applied') {
        io.stdout(`Applied ${result.done.length} change(s) to ${outcome.plan.name}.\n`);
        if (result.message) io.stderr(`fsm-gitops: warning: ${result.message}\n`);
        return EXIT.ok;
      }
      io.stderr(`fsm-gitops: apply failed: ${result.message ?? ''}\n`);
      for (const problem of result.notUndone) io.stderr(`  not undone: ${problem}\n`);
      return EXIT.failed;
    }
  }
}

function seconds(flag: string, value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) throw new UsageError(`${flag} takes seconds, not "${value}"`);
  return parsed;
}

/** The checked-out commit, marked when the working tree has changes; `unknown` outside a git checkout. */
async function gitCommit(repo: string): Promise<string> {
  const run = promisify(execFile);
  try {
    const { stdout: head } = await run('git', ['-C', repo, 'rev-parse', 'HEAD']);
    const { stdout: status } = await run('git', ['-C', repo, 'status', '--porcelain']);
    return `${head.trim()}${status.trim() === '' ? '' : '-dirty'}`;
  } catch {
    return 'unknown';
  }
}
