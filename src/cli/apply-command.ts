import { parseArgs } from 'node:util';
import { gitCommit, UNKNOWN_COMMIT } from './git-commit.ts';
import { repoFolder } from './repo-folder.ts';
import { firstHidden, visible } from '../core/hidden-characters.ts';
import { UsageError } from '../workflow/usage-error.ts';
import { defaultActor } from './apply-actor.ts';
import { ApplyInterruption } from './apply-interruption.ts';
import { startApply } from './apply-head-start.ts';
import { EXIT } from './exit-codes.ts';
import { chooseFormat } from './format-choice.ts';
import { APPLY_HELP } from './help.ts';
import type { CliIo } from './io.ts';
import { KubeconfigFlags } from './kube-flags.ts';

/** --timeout's default: the whole apply, lock wait included (a rollback gets a minute more). */
const DEFAULT_TIMEOUT_SECONDS = 300;

/**
 * `fsm-gitops apply`. Its flags are checked, the Lease's create sent and, once it is answered 201, the
 * environment's live read started (apply-head-start.ts) before the apply workflow is loaded (apply-run.ts,
 * `loadRun`; a test passes its own): the module loading, most of the start-up, runs while the API server answers.
 */
export async function applyCommand(args: string[], io: CliIo, loadRun = () => import('./apply-run.ts')): Promise<number> {
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
      quiet: { type: 'boolean', short: 'q', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      // plan's, refused with the reason rather than as an unknown option.
      cluster: { type: 'string', multiple: true, default: [] },
    },
  });
  if (values.help) {
    io.stdout(APPLY_HELP);
    return EXIT.ok;
  }
  if (values.cluster.length > 0) throw new UsageError('apply writes to a live cluster: --kubeconfig PATH [--context NAME]; a snapshot (--cluster) can only be planned');
  if (!values.env) throw new UsageError('say which environment to apply: --env NAME');
  if (!values.kubeconfig) throw new UsageError('apply needs the cluster: --kubeconfig PATH [--context NAME]');
  if (!values.yes && !io.stdinIsTty) throw new UsageError('apply asks for confirmation on a terminal; without one, pass --yes');
  for (const flag of ['commit', 'actor'] as const) if (values[flag] !== undefined) recordedText(`--${flag}`, values[flag]);
  const lockWaitSeconds = seconds('--lock-timeout', values['lock-timeout']);
  const timeoutSeconds = seconds('--timeout', values.timeout);
  const format = chooseFormat(undefined, values.output);
  if (timeoutSeconds === 0) throw new UsageError('--timeout must be more than 0 seconds');

  const repo = repoFolder(values.repo);
  // git runs (its own processes) while the config is read; it never fails (`unknown` outside a checkout).
  const commit = values.commit ?? gitCommit(values.repo).then((found) => {
    if ('sha' in found) return found.sha;
    io.stderr(`fsm-gitops: warning: ${visible(repo.root)} ${found.why}: the objects and the apply history record commit "${UNKNOWN_COMMIT}"; pass --commit to name what is applied\n`);
    return UNKNOWN_COMMIT;
  });
  const kubeconfig = new KubeconfigFlags(values.kubeconfig, values.context, io.learnSecrets);
  const deadline = Date.now() + timeoutSeconds * 1000;
  const actor = values.actor ?? `fsm-gitops-cli/${defaultActor()}`;
  // From the Lease's create on, Ctrl-C stops the apply cleanly (the first) or at once (the second).
  const interruption = new ApplyInterruption(io);
  try {
    const headStart = await startApply({ repo, environment: values.env, kubeconfig, holder: actor, commit, deadline, signal: interruption.signal });
    let runApply: Awaited<ReturnType<typeof loadRun>>['runApply'];
    try {
      ({ runApply } = await loadRun());
    } catch (error) {
      await headStart?.abandon(headStart.chosen.client);
      kubeconfig.close();
      throw error;
    }
    const run = { repo, environment: values.env, kubeconfig, headStart, commit: await commit, actor, lockWaitSeconds, deadline, interruption };
    return await runApply({ ...run, yes: values.yes, output: values.output, format, noColor: values['no-color'], quiet: values.quiet }, io);
  } finally {
    interruption.dispose();
  }
}

function seconds(flag: string, value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) throw new UsageError(`${flag} takes seconds, not "${value}"`);
  return parsed;
}

/** --commit and --actor are written into the cluster (the objects' annotation, the apply history, the Lease's holder): at most this many characters. */
const RECORDED_TEXT_CHARS = 200;

/**
 * Refuses a --commit or --actor that is not one line of plain text: what the cluster records is printed by
 * kubectl and other tools as it is, where an escape sequence would act on the reader's terminal.
 */
function recordedText(flag: string, value: string): void {
  const hidden = firstHidden(value);
  if (hidden) throw new UsageError(`${flag} holds a control or hidden character (${hidden.escaped} at character ${hidden.index + 1}): it is recorded in the cluster, where kubectl prints it as it is; pass one line of plain text`);
  if (value.trim() === '') throw new UsageError(`${flag} is empty: name the ${flag === '--commit' ? 'commit applied' : 'person or job applying'}, or leave the option out`);
  if (value.length > RECORDED_TEXT_CHARS) throw new UsageError(`${flag} is ${value.length} characters long: it is recorded in the cluster, at most ${RECORDED_TEXT_CHARS}`);
}

