import { parseArgs } from 'node:util';
import type { EnvironmentConfig } from '../config/repo-config.ts';
import { hasErrors } from '../core/finding.ts';
import { FolderRepo } from '../desired/folder-repo.ts';
import type { LiveStateReader } from '../live/live-state.ts';
import { SnapshotReader } from '../live/snapshot.ts';
import { ClusterReader } from '../kube/cluster-reader.ts';
import { KubeconfigFlags } from './kube-flags.ts';
import { perEnvironmentFlag } from './per-environment-flag.ts';
import type { Plan } from '../plan/plan-types.ts';
import { renderJson } from '../render/json.ts';
import { renderMarkdown } from '../render/markdown.ts';
import { renderText } from '../render/text.ts';
import { planRepository, UsageError } from '../workflow/plan-repository.ts';
import { EXIT } from './exit-codes.ts';
import { PLAN_HELP } from './help.ts';
import { wantsColor, type CliIo } from './io.ts';

const FORMATS = ['text', 'markdown', 'json'] as const;
type Format = (typeof FORMATS)[number];

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
      format: { type: 'string', default: 'text' },
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
  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${values.format}"`);
  const say = values.quiet ? undefined : (message: string) => io.stderr(`${message}\n`);
  const liveStateFor = liveStateChooser(values.cluster, values.kubeconfig, values.context, say);

  const { plan } = await planRepository({
    repo: new FolderRepo(values.repo),
    environments: values.env,
    liveStateFor,
    progress: values.quiet || !io.stderrIsTty ? undefined : (message) => io.stderr(`${message}\n`),
  });
  io.stdout(render(plan, format, wantsColor(io, values['no-color'])));
  return exitCode(plan, values['detailed-exitcode']);
}

function render(plan: Plan, format: Format, color: boolean): string {
  if (format === 'json') return renderJson(plan);
  if (format === 'markdown') return renderMarkdown(plan);
  return renderText(plan, { color });
}

export function exitCode(plan: Plan, detailed: boolean): number {
  if (plan.environments.some((e) => hasErrors(e.findings))) return EXIT.findings;
  const changes = plan.environments.some((e) => e.changes.some((c) => c.action !== 'unchanged'));
  return detailed && changes ? EXIT.changes : EXIT.ok;
}

function liveStateChooser(
  snapshots: string[],
  kubeconfig: string | undefined,
  contexts: string[],
  say: ((message: string) => void) | undefined,
): (environment: EnvironmentConfig) => LiveStateReader {
  if (kubeconfig !== undefined && snapshots.length > 0) throw new UsageError('give --cluster or --kubeconfig, not both');
  if (kubeconfig === undefined && contexts.length > 0) throw new UsageError('--context chooses a context of --kubeconfig: give --kubeconfig too');
  if (kubeconfig !== undefined) {
    const flags = new KubeconfigFlags(kubeconfig, contexts);
    return (environment) => {
      const { client, says } = flags.forEnvironment(environment);
      say?.(says);
      return new ClusterReader(client);
    };
  }
  if (snapshots.length === 0) throw new UsageError('say where the live state comes from: --cluster SNAPSHOT.yaml or --kubeconfig PATH');
  return snapshotChooser(snapshots);
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
