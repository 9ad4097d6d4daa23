import { LeaseAttempt } from '../apply/lease-attempt.ts';
import { peekEnvironmentTargets, type EnvironmentTarget } from '../config/repo-config-peek.ts';
import type { RepoFiles } from '../desired/repo-files.ts';
import { ClusterReader } from '../kube/cluster-reader.ts';
import type { KubeApi, KubeClient } from '../kube/kube-client.ts';
import type { ApplyAhead } from '../workflow/apply-environment.ts';
import { LiveRead } from '../workflow/live-read.ts';
import type { ContextChoice, KubeconfigFlags } from './kube-flags.ts';
import { sameEnvironment } from './live-state-choice.ts';

export interface HeadStartOptions {
  repo: RepoFiles;
  /** --env. */
  environment: string;
  kubeconfig: KubeconfigFlags;
  /** The Lease's holder (--actor) and commit (--commit, or git's answer, still to come). */
  holder: string;
  commit: string | Promise<string>;
  /** Epoch ms: the command's deadline (--timeout), on the Lease's create, renewals and the read. */
  deadline: number;
  /** Stops the read (an interrupted apply); the Lease's create is left to finish, and the apply releases it. */
  signal?: AbortSignal | undefined;
}

/** What the head start began for one environment: the Lease's create, and the live read once it was answered 201. */
export interface ApplyHeadStart extends ApplyAhead {
  /** The environment as the config peek read it. */
  environment: EnvironmentTarget;
  /** Its kubeconfig context (KubeconfigFlags.forEnvironment): the client, the choice, the line that says it. */
  chosen: { client: KubeClient; choice: ContextChoice; says: string };
  /** Whether `environment` (from the validated config) is the one started: same name, cluster and mesh. */
  isFor(environment: EnvironmentTarget): boolean;
}

/**
 * `fsm-gitops apply`'s head start, before the apply workflow is loaded (~0.2 s of module loading, while the
 * API server answers): the environment's name, cluster and mesh are read from the repository config without
 * validating the rest (peekEnvironmentTargets), its kubeconfig context chosen, and the create of its Lease sent
 * (LeaseAttempt: one POST). Only when that create is answered 201, the Lease held, the environment's live read
 * is started: nothing is read from the cluster without the Lease, and nothing but the Lease is written before
 * the config is validated. undefined when the peek finds no such environment or no context fits it: nothing
 * was sent, and the apply goes as without a head start (the error is raised in its turn, after the config's).
 * The caller hands the result to applyEnvironment (`ahead`), or lets it go (abandon: the read stopped, the Lease
 * deleted) when it does not get there.
 */
export async function startApply(options: HeadStartOptions): Promise<ApplyHeadStart | undefined> {
  const targets = await peekEnvironmentTargets(options.repo).catch(() => undefined);
  const environment = targets?.find((target) => target.name === options.environment);
  if (environment === undefined) return undefined;
  // A --context ENV= for an environment the config lacks is refused after the config's validation: no Lease before.
  if (options.kubeconfig.namedEnvironments().some((name) => !targets!.some((target) => target.name === name))) return undefined;
  let chosen: ApplyHeadStart['chosen'];
  try {
    chosen = options.kubeconfig.forEnvironment(environment);
  } catch {
    return undefined;
  }
  const client = chosen.client.withDeadline(options.deadline);
  const lease = LeaseAttempt.start(client, environment.mesh.namespace, environment.name, { holder: options.holder, commit: await options.commit });
  let stopped = false;
  const reader = new ClusterReader(options.signal ? client.withSignal(options.signal) : client);
  const read = lease.held().then((held) => (held && !stopped ? LiveRead.start(reader, environment.mesh) : undefined));
  const stopRead = async (): Promise<void> => {
    stopped = true;
    await (await read)?.state.stop();
  };
  return {
    environment,
    chosen,
    lease,
    read,
    stopRead,
    isFor: (validated) => sameEnvironment(environment, validated),
    async abandon(releaseClient: KubeApi) {
      await stopRead();
      return lease.abandon(releaseClient);
    },
  };
}
