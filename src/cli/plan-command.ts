import { parseArgs } from 'node:util';
import type { EnvironmentConfig } from '../config/repo-config.ts';
import { hasErrors } from '../core/finding.ts';
import { FolderRepo } from '../desired/folder-repo.ts';
import type { LiveStateReader } from '../live/live-state.ts';
import { SnapshotReader } from '../live/snapshot.ts';
import { perEnvironmentFlag } from './per-environment-flag.ts';
import type { Plan } from '../plan/plan-types.ts';
import { planRepository, UsageError } from '../workflow/plan-repository.ts';
import { EXIT, PLAN_EXIT_MEANING } from './exit-codes.ts';
import { writeFileAtomically } from './output-file.ts';
import { chooseFormat, renderPlan } from './output-format.ts';
import { summaryLine } from '../render/summary.ts';
import { PLAN_HELP } from './help.ts';
import { wantsColor, type CliIo } from './io.ts';


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
  const { liveStateFor, close } = await liveStateChooser(values.cluster, values.kubeconfig, values.context, say);

  const { plan } = await planRepository({
    repo: new FolderRepo(values.repo),
    environments: values.env,
    liveStateFor,
    progress: values.quiet || !io.stderrIsTty ? undefined : (message) => io.stderr(`${message}\n`),
  }).finally(close);
  const code = exitCode(plan, values['detailed-exitcode']);
  const exit = { code, meaning: PLAN_EXIT_MEANING[code as keyof typeof PLAN_EXIT_MEANING] };
  if (values.output === undefined) {
    io.stdout(renderPlan(plan, format, exit, wantsColor(io, values['no-color'])));
    return code;
  }
  await writeFileAtomically(values.output, renderPlan(plan, format, exit, false));
  for (const env of plan.environments) io.stdout(`${env.name}: ${summaryLine(env)}\n`);
  io.stdout(`Plan written to ${values.output} (${format}).\n`);
  return code;
}


export function exitCode(plan: Plan, detailed: boolean): number {
  if (plan.environments.some((e) => hasErrors(e.findings))) return EXIT.findings;
  const changes = plan.environments.some((e) => e.changes.some((c) => c.action !== 'unchanged'));
  return detailed && changes ? EXIT.changes : EXIT.ok;
}

async function liveStateChooser(
  snapshots: string[],
  kubeconfig: string | undefined,
  contexts: string[],
  say: ((message: string) => void) | undefined,
): Promise<{ liveStateFor: (environment: EnvironmentConfig) => LiveStateReader; close: () => void }> {
  if (kubeconfig !== undefined && snapshots.length > 0) throw new UsageError('give --cluster or --kubeconfig, not both');
  if (kubeconfig === undefined && contexts.length > 0) throw new UsageError('--context chooses a context of --kubeconfig: give --kubeconfig too');
  if (kubeconfig !== undefined) {
    // Loaded only here: @kubernetes/client-node is most of the CLI's start-up, and a snapshot plan needs none of it.
    const [{ KubeconfigFlags }, { ClusterReader }] = await Promise.all([import('./kube-flags.ts'), import('../kube/cluster-reader.ts')]);
    const flags = new KubeconfigFlags(kubeconfig, contexts);
    const liveStateFor = (environment: EnvironmentConfig): LiveStateReader => {
      const { client, says } = flags.forEnvironment(environment);
      say?.(says);
      return new ClusterReader(client);
    };
    return { liveStateFor, close: () => flags.close() };
  }
  if (snapshots.length === 0) throw new UsageError('say where the live state comes from: --cluster SNAPSHOT.yaml or --kubeconfig PATH');
  return { liveStateFor: snapshotChooser(snapshots), close: () => {} };
}

/** `--cluster FILE` serves every environment; `--cluster ENV=FILE` one environment. */
function snapshotChooser(specs: string[]): (environment: EnvironmentConfig) => LiveStateReader {
  const { shared, perEnvironment } = perEnvironmentFlag('--cluster', specs, 'FILE');
  return (environment) => {
    const path = perEnvironment.get(environment.name) ?? shared;
    if (path === undefined) throw new UsageError(`no live state for environment ${environment.name}: add --cluster ${environment.name}=SNAPSHOT.yaml`);
    return new SnapshotReader(path);
  };
}
