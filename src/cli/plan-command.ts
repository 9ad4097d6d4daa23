import { parseArgs } from 'node:util';
import type { EnvironmentConfig } from '../config/repo-config.ts';
import { repoFolder } from './repo-folder.ts';
import type { RepoFiles } from '../desired/repo-files.ts';
import type { LiveStateReader } from '../live/live-state.ts';
import { environmentForms as formsOf, perEnvironmentFlag } from './per-environment-flag.ts';
import { UsageError } from '../workflow/usage-error.ts';
import { EXIT } from './exit-codes.ts';
import { chooseFormat } from './format-choice.ts';
import { PLAN_HELP } from './help.ts';
import type { CliIo } from './io.ts';
import type { ClusterChoiceOptions, LiveStateChoice } from './live-state-choice.ts';

/**
 * `fsm-gitops plan`. Its flags are checked and, for a cluster, the first environment's live state read is
 * started (live-state-choice.ts) before the planning code is loaded (plan-run.ts): the module loading, most of
 * the start-up, runs while the API server answers.
 */
export async function planCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      repo: { type: 'string', default: '.' },
      env: { type: 'string', multiple: true, default: [] },
      cluster: { type: 'string', multiple: true, default: [] },
      kubeconfig: { type: 'string' },
      context: { type: 'string', multiple: true, default: [] },
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
      'detailed-exitcode': { type: 'boolean', default: false },
      'no-color': { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(PLAN_HELP);
    return EXIT.ok;
  }
  const format = chooseFormat(values.format, values.output);
  const say = values.quiet ? undefined : (message: string) => io.stderr(`${message}\n`);
  const repo = repoFolder(values.repo);
  const live = await liveStateChooser(repo, values.env, values.cluster, values.kubeconfig, values.context, { say, learnSecrets: io.learnSecrets });
  let runPlan: typeof import('./plan-run.ts').runPlan;
  try {
    ({ runPlan } = await import('./plan-run.ts'));
  } catch (error) {
    live.close();
    throw error;
  }
  const environmentForms = [...formsOf('--cluster', values.cluster, 'FILE'), ...formsOf('--context', values.context, 'CONTEXT')];
  const options = { repo, environments: values.env, live, format, output: values.output, quiet: values.quiet, environmentForms };
  return runPlan({ ...options, detailedExitcode: values['detailed-exitcode'], noColor: values['no-color'] }, io);
}

async function liveStateChooser(
  repo: RepoFiles,
  environments: string[],
  snapshots: string[],
  kubeconfig: string | undefined,
  contexts: string[],
  tell: Pick<ClusterChoiceOptions, 'say' | 'learnSecrets'>,
): Promise<LiveStateChoice> {
  if (kubeconfig !== undefined && snapshots.length > 0) throw new UsageError('give --cluster or --kubeconfig, not both');
  if (kubeconfig === undefined && contexts.length > 0) throw new UsageError('--context chooses a context of --kubeconfig: give --kubeconfig too');
  if (kubeconfig !== undefined) {
    // Loaded only here: @kubernetes/client-node is most of a live run's start-up, and a snapshot plan needs none of it.
    const { clusterLiveState } = await import('./live-state-choice.ts');
    return clusterLiveState({ repo, environments, kubeconfig, contexts, ...tell });
  }
  if (snapshots.length === 0) throw new UsageError('say where the live state comes from: --cluster SNAPSHOT.yaml or --kubeconfig PATH');
  const { SnapshotReader } = await import('../live/snapshot.ts');
  return { liveStateFor: snapshotChooser(snapshots, (path) => new SnapshotReader(path)), close: () => {} };
}

/** `--cluster FILE` serves every environment; `--cluster ENV=FILE` one environment. */
function snapshotChooser(specs: string[], reader: (path: string) => LiveStateReader): (environment: EnvironmentConfig) => LiveStateReader {
  const { shared, perEnvironment } = perEnvironmentFlag('--cluster', specs, 'FILE');
  return (environment) => {
    const path = perEnvironment.get(environment.name) ?? shared;
    if (path === undefined) throw new UsageError(`no live state for environment ${environment.name}: add --cluster ${environment.name}=SNAPSHOT.yaml`);
    return reader(path);
  };
}
