import type { GitHubError } from './github-error.ts';
import { limitStatusDescription } from '../render/github-limits.ts';
import type { AppIdentity } from './app-identity.ts';
import { createOnce } from './create-once.ts';
import type { Octokit, RepoRef } from './octokit.ts';

/** What every Deployment carries in its payload: enough to audit it, and the trigger that makes it act once. */
export interface DeploymentPayload {
  /** `comment:<id>`, `merge:<sha>`: one trigger acts once. */
  trigger: string;
  pr: number | null;
  planDigest: string;
  approvers: string[];
  actor: string;
  /** The history ConfigMap entry in the cluster: `<namespace>/<configmap>#<trigger>`. */
  history: string;
  /** When the apply upgrades the FSM chart: the release (`namespace/name`), its deployed revision and chart version, and the chart version it goes to. The revision after is in the final status and the history. */
  helm?: { release: string; revisionBefore: number; chartBefore: string; chartAfter: string };
}

export type DeploymentTask = 'deploy' | 'deploy:rollback';
export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

export interface RecordedDeployment {
  id: number;
  sha: string;
  environment: string;
  task: string;
  payload: Partial<DeploymentPayload>;
  createdAt: string;
}

/**
 * GitHub Deployments as the audit trail of every apply and rollback (https://docs.github.com/rest/deployments):
 * created with `auto_merge: false` (its default would merge the default branch into the ref) and
 * `required_contexts: []` (the plan's own check is what was required), statuses `in_progress` then
 * `success`/`failure`/`error`; the previous successful deployment of the environment is marked `inactive`
 * here, not by GitHub's `auto_inactive`.
 */
export class DeploymentTrail {
  constructor(
    private readonly octokit: Octokit,
    private readonly ref: RepoRef,
    private readonly identity: AppIdentity,
  ) {}

  /**
   * Only Deployments this app created count: anyone with `deployments: write` (a workflow of a branch, too)
   * can create one with any environment, ref and payload, which must neither stop a deploy as a
   * "duplicate" nor serve as a rollback target.
   */
  private ours(data: DeploymentData): RecordedDeployment | undefined {
    return data.creator?.login === this.identity.botLogin ? recorded(data) : undefined;
  }

  /** The deployment a trigger already made, if any (GET /deployments?environment&sha, payload.trigger). */
  async find(environment: string, sha: string, trigger: string): Promise<RecordedDeployment | undefined> {
    const { data } = await this.octokit.rest.repos.listDeployments({ ...this.ref, environment, sha, per_page: 100 });
    return data.flatMap((d) => this.ours(d) ?? []).find((d) => d.payload.trigger === trigger);
  }

  /**
   * Creates the deployment, or finds the one a trigger made before. A create GitHub carried out before
   * answering 5xx is not repeated: each retry looks for the trigger first.
   */
  async create(request: { environment: string; sha: string; task: DeploymentTask; production: boolean; payload: DeploymentPayload; description: string }): Promise<RecordedDeployment> {
    const { value } = await createOnce(
      () => this.find(request.environment, request.sha, request.payload.trigger),
      async () => {
        const { data } = await this.octokit.rest.repos.createDeployment({
          ...this.ref,
          ref: request.sha,
          environment: request.environment,
          task: request.task,
          auto_merge: false,
          required_contexts: [],
          production_environment: request.production,
          transient_environment: false,
          payload: request.payload as unknown as Record<string, unknown>,
          description: limitStatusDescription(request.description),
          request: { retries: 0 },
        });
        if (!('id' in data)) throw new Error(`GitHub did not create the deployment: ${data.message ?? 'no reason given'}`);
        return recorded(data);
      },
    );
    return value;
  }

  /** Adds a status; one GitHub made but answered 5xx for is found again (the latest, same state and text), not added twice. */
  async setStatus(id: number, state: DeploymentState, description: string, logUrl?: string): Promise<void> {
    const text = limitStatusDescription(description);
    await createOnce(
      async () => {
        const { data } = await this.octokit.rest.repos.listDeploymentStatuses({ ...this.ref, deployment_id: id, per_page: 1 });
        return data[0]?.state === state && data[0].description === text ? data[0].id : undefined;
      },
      async () =>
        (
          await this.octokit.rest.repos.createDeploymentStatus({
            ...this.ref,
            deployment_id: id,
            state,
            description: text,
            auto_inactive: false,
            ...(logUrl ? { log_url: logUrl } : {}),
            request: { retries: 0 },
          })
        ).data.id,
      { knownAbsent: true },
    );
  }

  /** The latest status of a deployment, or undefined when it has none yet. */
  async latestState(id: number): Promise<string | undefined> {
    return (await this.latestStatus(id))?.state;
  }

  /** The deployment's newest status: its state and description (what fsm-gitops said of the apply then). */
  async latestStatus(id: number): Promise<{ state: string; description: string } | undefined> {
    const { data } = await this.octokit.rest.repos.listDeploymentStatuses({ ...this.ref, deployment_id: id, per_page: 1 });
    return data[0] ? { state: data[0].state, description: data[0].description ?? '' } : undefined;
  }

  /** Every state a deployment has had, newest first. */
  async statesOf(id: number): Promise<string[]> {
    const { data } = await this.octokit.rest.repos.listDeploymentStatuses({ ...this.ref, deployment_id: id, per_page: 100 });
    return data.map((s) => s.state);
  }

  /** The environment's deployments, newest first (at most `limit`). */
  async list(environment: string, limit = 30): Promise<RecordedDeployment[]> {
    const { data } = await this.octokit.rest.repos.listDeployments({ ...this.ref, environment, per_page: Math.min(limit, 100) });
    return data.flatMap((d) => this.ours(d) ?? []);
  }

  async get(id: number): Promise<RecordedDeployment | undefined> {
    try {
      const { data } = await this.octokit.rest.repos.getDeployment({ ...this.ref, deployment_id: id });
      return this.ours(data);
    } catch (error) {
      if ((error as GitHubError).status === 404) return undefined;
      throw error;
    }
  }

  /** Marks the environment's previous successful deployment (newest before `current`) inactive. */
  async deactivatePrevious(environment: string, current: number): Promise<number | undefined> {
    for (const deployment of await this.list(environment, 20)) {
      if (deployment.id === current) continue;
      const state = await this.latestState(deployment.id);
      if (state === 'success') {
        await this.setStatus(deployment.id, 'inactive', `superseded by deployment ${current}`);
        return deployment.id;
      }
      if (state === 'inactive') return undefined;
    }
    return undefined;
  }
}

interface DeploymentData {
  id: number;
  sha: string;
  environment: string;
  task: string;
  payload: unknown;
  created_at: string;
  creator?: { login: string } | null;
}

function recorded(data: DeploymentData): RecordedDeployment {
  const payload = typeof data.payload === 'string' ? safeParse(data.payload) : data.payload;
  return { id: data.id, sha: data.sha, environment: data.environment, task: data.task, payload: (payload ?? {}) as Partial<DeploymentPayload>, createdAt: data.created_at };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
