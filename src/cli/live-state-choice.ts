import type { EnvironmentConfig } from '../config/repo-config.ts';
import { peekEnvironmentTargets, type EnvironmentTarget } from '../config/repo-config-peek.ts';
import type { RepoFiles } from '../desired/repo-files.ts';
import type { ChartInCluster, DryRunOutcome, LiveState, LiveStateReader, MeshRef, ServiceNames } from '../live/live-state.ts';
import type { JsonValue } from '../core/json.ts';
import type { KubeObject } from '../core/kube.ts';
import type { ClusterConnection } from '../kube/cluster-connection.ts';
import { ClusterReader } from '../kube/cluster-reader.ts';
import { KubeconfigFlags } from './kube-flags.ts';

/** Where each environment's live state comes from (planRepository's liveStateFor), and how to let go of it. */
export interface LiveStateChoice {
  liveStateFor(environment: EnvironmentConfig): LiveStateReader;
  /** Closes the connections to the clusters. */
  close(): void;
}

export interface ClusterChoiceOptions {
  repo: RepoFiles;
  /** The --env names (all environments when empty), as planRepository takes them. */
  environments: readonly string[];
  kubeconfig: string;
  contexts: string[];
  /** Told which kubeconfig context serves an environment, when planRepository asks for its live state. */
  say: ((message: string) => void) | undefined;
  /** Told the kubeconfig's credentials (CliIo.learnSecrets). */
  learnSecrets?: ((kind: string, value: JsonValue) => void) | undefined;
}

/**
 * Live state from the clusters of --kubeconfig (a kubeconfig that cannot be used: UsageError, as before
 * anything else). The first environment's read is started now, before the caller loads the planning code
 * (~40% of a live plan's start-up): its name, cluster and mesh are read from the repository config
 * (peekEnvironmentTargets, without ajv), its context chosen and its requests sent, and the API server
 * answers while the modules load. planRepository then reads and validates the config itself and asks for
 * that environment's live state: it gets the read under way, and the context line is said then, as without
 * the head start. Anything that fails on the way (a config or context error, a read refused) is raised where
 * it was without it: the config's by planRepository (the read started is dropped), the context's when it
 * asks for the environment, the read's when it awaits the state. Other environments are read when asked for.
 * close() stops that read if it was never asked for (no further request or retry).
 */
export async function clusterLiveState(options: ClusterChoiceOptions): Promise<LiveStateChoice> {
  const flags = new KubeconfigFlags(options.kubeconfig, options.contexts, options.learnSecrets);
  const readerFor = (environment: EnvironmentTarget): { reader: ClusterReader; says: string } => {
    const { client, says } = flags.forEnvironment(environment);
    return { reader: new ClusterReader(client), says };
  };
  // A --context ENV= for an environment the config lacks is refused once the config is read: nothing is sent ahead.
  let early = await startFirstRead(options.repo, options.environments, flags.namedEnvironments(), readerFor);
  const first = early !== undefined && 'reader' in early ? early.reader : undefined;
  return {
    liveStateFor: (environment) => {
      const started = early !== undefined && sameEnvironment(early.environment, environment) ? early : undefined;
      early = undefined;
      if (started && 'failure' in started) throw started.failure;
      const { reader, says } = started ?? readerFor(environment);
      options.say?.(says);
      return reader;
    },
    close: () => {
      first?.stop();
      flags.close();
    },
  };
}

type FirstRead = { environment: EnvironmentTarget } & ({ reader: StartedRead; says: string } | { failure: unknown });

/** The read planRepository will ask for first, started; undefined when it will not get that far (it raises the error then). */
async function startFirstRead(
  repo: RepoFiles,
  names: readonly string[],
  /** The environments --context ENV=NAME names: each must be in the config too. */
  flagged: readonly string[],
  readerFor: (environment: EnvironmentTarget) => { reader: ClusterReader; says: string },
): Promise<FirstRead | undefined> {
  const targets = await peekEnvironmentTargets(repo).catch(() => undefined);
  if (targets === undefined || [...names, ...flagged].some((name) => !targets.some((e) => e.name === name))) return undefined;
  const environment = names.length === 0 ? targets[0] : targets.find((e) => e.name === names[0]);
  if (environment === undefined) return undefined;
  let chosen: { reader: ClusterReader; says: string };
  try {
    chosen = readerFor(environment);
  } catch (failure) {
    return { environment, failure };
  }
  return { environment, reader: new StartedRead(chosen.reader, environment.mesh), says: chosen.says };
}

/** The environment asked for (as the validated config says it) is the one started ahead: same name, cluster and mesh (the config was read twice). */
export function sameEnvironment(a: EnvironmentTarget, b: EnvironmentTarget): boolean {
  return a.name === b.name && a.cluster === b.cluster && a.mesh.name === b.mesh.name && a.mesh.namespace === b.mesh.namespace;
}

/**
 * A ClusterReader whose read of one mesh was started when it was made; that read is handed out once, and
 * stops when the signal of the read that takes it is aborted, or at stop().
 */
class StartedRead implements LiveStateReader {
  private state: Promise<LiveState> | undefined;
  private readonly stopper = new AbortController();

  constructor(
    private readonly reader: ClusterReader,
    private readonly mesh: MeshRef,
  ) {
    this.state = reader.read(mesh, this.stopper.signal);
    // Awaited by planRepository, or stopped when it fails first (close()).
    this.state.catch(() => {});
  }

  read(mesh: MeshRef, signal?: AbortSignal): Promise<LiveState> {
    const state = this.state;
    this.state = undefined;
    if (state === undefined || mesh.name !== this.mesh.name || mesh.namespace !== this.mesh.namespace) return this.reader.read(mesh, signal);
    if (signal?.aborted) this.stop(signal.reason);
    signal?.addEventListener('abort', () => this.stop(signal.reason), { once: true });
    return state;
  }

  /** Stops the read started (a no-op once it has finished). */
  stop(reason?: unknown): void {
    this.stopper.abort(reason);
  }

  dryRun(objects: readonly KubeObject[]): Promise<Map<string, DryRunOutcome>> {
    return this.reader.dryRun(objects);
  }

  connection(): Promise<ClusterConnection> {
    return this.reader.connection();
  }

  serverVersion(): Promise<string> {
    return this.reader.serverVersion();
  }

  checkChart(objects: ReadonlyMap<string, { deployed?: KubeObject | undefined; rendered: KubeObject }>, namespace: string, dryRun: boolean, signal?: AbortSignal): Promise<ChartInCluster> {
    return this.reader.checkChart(objects, namespace, dryRun, signal);
  }

  serviceNames(namespaces: readonly string[], signal?: AbortSignal): Promise<ServiceNames> {
    return this.reader.serviceNames(namespaces, signal);
  }
}
