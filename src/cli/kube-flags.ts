import { KubeConfig } from '@kubernetes/client-node';
import type { EnvironmentConfig, RepoConfig } from '../config/repo-config.ts';
import type { JsonValue } from '../core/json.ts';
import { KubeClient, loadKubeconfig } from '../kube/kube-client.ts';
import { kubeconfigCredentials } from '../kube/kubeconfig-credentials.ts';
import { kubeConcurrencyFromEnv } from '../kube/kube-concurrency.ts';
import { UsageError } from '../workflow/usage-error.ts';
import { environmentForms, perEnvironmentFlag, requireFormEnvironments } from './per-environment-flag.ts';

/** The kubeconfig context chosen for one environment, and why. */
export interface ContextChoice {
  context: string;
  /** The kubeconfig cluster entry the context uses. */
  cluster: string;
  /** `mapped`: --context ENV=NAME said so; `matched`: the context or its cluster is named after the environment's `cluster:`. */
  how: 'mapped' | 'matched';
}

/** The contexts of a kubeconfig as the chooser needs them. */
export interface KubeconfigContexts {
  current: string;
  contexts: { name: string; cluster: string }[];
}

/**
 * Which kubeconfig context serves an environment. The rule (README, "Which cluster an environment
 * plans and applies against"):
 * - `--context ENV=NAME` names the context for environment ENV, whatever it is called;
 * - otherwise the context must be for the environment's `cluster:`: the context is named so, or the
 *   kubeconfig cluster it uses is. With a plain `--context NAME`, that context must be; without one,
 *   the current-context if it is, else the one context that is.
 * Throws UsageError naming the environment, its `cluster:` and what to pass when no context fits, so a
 * production environment is never planned or applied against the staging context by accident.
 */
export function chooseContext(kubeconfig: KubeconfigContexts, environment: Pick<EnvironmentConfig, 'name' | 'cluster'>, flags: string[]): ContextChoice {
  const { shared, perEnvironment } = perEnvironmentFlag('--context', flags, 'CONTEXT');
  const byName = new Map(kubeconfig.contexts.map((c) => [c.name, c]));
  const known = (name: string) => {
    const context = byName.get(name);
    if (!context) throw new UsageError(byName.size === 0 ? `the kubeconfig has no contexts, so none named "${name}": add one for the cluster (kubectl config set-context)` : `the kubeconfig has no context "${name}"; it has: ${[...byName.keys()].join(', ')}`);
    return context;
  };
  const mapped = perEnvironment.get(environment.name);
  if (mapped !== undefined) return { context: mapped, cluster: known(mapped).cluster, how: 'mapped' };
  const fits = (c: { name: string; cluster: string }) => c.name === environment.cluster || c.cluster === environment.cluster;
  // CONTEXT, not the context at hand: a line to copy would also copy the staging context into a production apply.
  const fix = `name it with --context ${environment.name}=CONTEXT`;
  const wants = `environment ${environment.name} deploys to cluster "${environment.cluster}" (its cluster: in .github/fsm-gitops.yml)`;
  if (shared !== undefined) {
    const context = known(shared);
    if (fits(context)) return { context: context.name, cluster: context.cluster, how: 'matched' };
    throw new UsageError(`${wants}, but context "${context.name}" is for cluster "${context.cluster}": pass the context for "${environment.cluster}", or if "${context.name}" does serve ${environment.name}, ${fix}`);
  }
  const current = byName.get(kubeconfig.current);
  if (current && fits(current)) return { context: current.name, cluster: current.cluster, how: 'matched' };
  const candidates = kubeconfig.contexts.filter(fits);
  if (candidates.length === 1) return { context: candidates[0]!.name, cluster: candidates[0]!.cluster, how: 'matched' };
  if (candidates.length > 1) throw new UsageError(`${wants}, and contexts ${candidates.map((c) => `"${c.name}"`).join(', ')} all are: ${fix}`);
  if (byName.size === 0) throw new UsageError(`${wants}, and the kubeconfig has no contexts: add one for that cluster (kubectl config set-context)`);
  throw new UsageError(`${wants}, and no context of the kubeconfig is named so or uses a cluster named so (it has: ${[...byName.keys()].join(', ')}): ${fix}`);
}

/** A client per environment for --kubeconfig and --context; a kubeconfig that cannot be used is the user's to fix (exit 3). */
export class KubeconfigFlags {
  private readonly contexts: KubeconfigContexts;
  private readonly clients: KubeClient[] = [];

  /** `learnSecrets`: told the kubeconfig's credentials (kind `kubeconfig`), so what is said afterwards hides them (CliIo). */
  constructor(
    private readonly path: string,
    private readonly contextFlags: string[],
    learnSecrets?: (kind: string, value: JsonValue) => void,
  ) {
    try {
      kubeConcurrencyFromEnv(process.env); // a setting of its own: not the kubeconfig's to be blamed for
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const config = new KubeConfig();
    try {
      // Its YAML errors say where, never the file's lines (tokens, keys; or a binary file's bytes).
      loadKubeconfig(() => config.loadFromFile(path));
    } catch (error) {
      throw new UsageError(`cannot use kubeconfig ${path}: ${(error as Error).message}`);
    }
    learnSecrets?.('kubeconfig', kubeconfigCredentials(config));
    this.contexts = { current: config.getCurrentContext(), contexts: config.getContexts().map((c) => ({ name: c.name, cluster: c.cluster })) };
  }

  /** The environments `--context ENV=NAME` names. */
  namedEnvironments(): string[] {
    return environmentForms('--context', this.contextFlags, 'CONTEXT').map((form) => form.environment);
  }

  /** Throws UsageError when a `--context ENV=NAME` names an environment `config` does not have. */
  requireEnvironments(config: RepoConfig): void {
    requireFormEnvironments(config, environmentForms('--context', this.contextFlags, 'CONTEXT'));
  }

  /** The client for the environment's context (chooseContext), and a line saying which context serves it. */
  forEnvironment(environment: Pick<EnvironmentConfig, 'name' | 'cluster'>): { client: KubeClient; choice: ContextChoice; says: string } {
    const choice = chooseContext(this.contexts, environment, this.contextFlags);
    let client: KubeClient;
    try {
      client = KubeClient.fromFile(this.path, choice.context);
    } catch (error) {
      throw new UsageError(`cannot use kubeconfig ${this.path}: ${(error as Error).message}`);
    }
    this.clients.push(client);
    const why = choice.how === 'mapped' ? `--context ${environment.name}=${choice.context}` : `named after cluster "${environment.cluster}"`;
    return { client, choice, says: `${environment.name}: kubeconfig context "${choice.context}" (${why}), server ${client.server}` };
  }

  /** Closes the connections of every client made: the command is done with the clusters. */
  close(): void {
    for (const client of this.clients) client.close();
  }
}
