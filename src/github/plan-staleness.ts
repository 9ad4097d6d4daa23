import { readHistory, type ApplyRecord } from '../apply/history.ts';
import type { EnvironmentConfig } from '../config/repo-config.ts';
import { isUnder } from '../desired/repo-files.ts';
import { describeDeploy } from '../render/apply-record.ts';
import { markdownCode } from '../render/markdown-escape.ts';
import type { StatusContext } from './app-context.ts';
import { checkRunName, ourCheckRuns, type OurCheckRun } from './check-runs.ts';
import { baseChangesMissing } from './pull-request-state.ts';

/** Whose status block it is: a record of this pull request's own apply does not make its plan stale. */
export interface PlanOwner {
  repository: string;
  pr: number;
}

/**
 * The newest apply of an environment recorded after a pull request's plan of it started reading the cluster,
 * by anyone but that pull request (another's /fsm apply or merge deploy, a rollback, the CLI): that plan was made
 * against a cluster that is no more. It may still be what an apply does (the digest /fsm apply and a merge deploy
 * compare covers the changes only), or not: planning again tells. `history`: the environment's records
 * (readHistory); `planStartedAt`: when the plan started reading (ISO 8601; a check run's started_at).
 * Records that wrote nothing (refused; an apply with nothing to change, which is recorded applied with no change)
 * or put the cluster back (rolled-back) do not count; `failed` does (what it left is in the cluster). When the newest that counts is the pull request's own apply, the cluster holds what its
 * plan showed: current. A rollback is never its own (`/fsm rollback` commented on it records its number). An apply
 * recorded in the second the plan started counts: said once too often rather than missed. Undefined when the plan
 * is current, or its time does not parse.
 */
export function appliedSincePlan(history: readonly ApplyRecord[], planStartedAt: string, owner: PlanOwner): ApplyRecord | undefined {
  const since = Date.parse(planStartedAt);
  if (Number.isNaN(since)) return undefined;
  const own = (record: ApplyRecord) => record.task !== 'rollback' && record.pr === owner.pr && (record.repository ?? owner.repository) === owner.repository;
  const wrote = (record: ApplyRecord) => (record.result === 'applied' || record.result === 'failed') && ((record.changeCount ?? record.changes.length) > 0 || record.helm !== undefined);
  const counted = history.filter((r) => wrote(r) && Date.parse(r.time) >= since);
  const newest = counted.sort((a, b) => Date.parse(b.time) - Date.parse(a.time))[0];
  return newest && !own(newest) ? newest : undefined;
}

/**
 * The status block's line part for a plan the cluster moved from (Markdown, escaped). `lacksBaseChanges`: the
 * folder the branch lacks the default branch's changes to, if it does: planned again as it is, the branch would
 * undo them (and /fsm apply refuses it), so updating it comes first.
 */
export function staleNotice(environment: string, record: ApplyRecord, repository: string, lacksBaseChanges?: string): string {
  const next = lacksBaseChanges !== undefined
    ? `this branch lacks the default branch's changes to ${lacksBaseChanges === '' ? 'its files' : markdownCode(`${lacksBaseChanges}/`)}: update it (merge or rebase the default branch), which plans it again`
    : `\`/fsm plan ${environment}\` plans against the cluster as it is now`;
  return `⚠️ changed since this plan: ${describeDeploy(record, repository)}. This pull request's plan was made before it; ${next}`;
}

/**
 * The stale-plan notices of one status block (a pull request at its head commit). Best effort throughout: a
 * plan whose start is unknown, a snapshot cluster, a history or a GitHub list that cannot be read says nothing
 * (the locks beside it say when the cluster cannot be read). GitHub is asked at most twice per block, and only
 * when needed: this app's check runs on the head (for a plan not made by the caller), and, for the first stale
 * plan, what the default branch changed since the branch.
 */
export class StalePlans {
  private checkRuns: Promise<OurCheckRun[]> | undefined;
  private baseChanges: Promise<{ files: string[]; complete: boolean } | undefined> | undefined;

  /** `plannedAt`: the environments the caller planned just now (a review), with when each plan started reading the cluster. */
  constructor(
    private readonly ctx: StatusContext,
    private readonly pr: { number: number; headSha: string },
    private readonly plannedAt: ReadonlyMap<string, Date> = new Map(),
  ) {}

  /** The notice for the plan of `environment` the pull request shows, or undefined when it is current (appliedSincePlan). */
  async notice(environment: EnvironmentConfig): Promise<string | undefined> {
    const startedAt = this.plannedAt.get(environment.name)?.toISOString() ?? (await this.shownPlanStart(environment.name));
    if (startedAt === undefined || this.ctx.deps.live.isSnapshot(environment.cluster)) return undefined;
    const owner = { repository: this.ctx.repository.fullName, pr: this.pr.number };
    let record: ApplyRecord | undefined;
    try {
      const read = async () => readHistory(await this.ctx.deps.live.client(environment.cluster), environment.mesh.namespace, environment.name);
      record = appliedSincePlan(await (this.ctx.shared ? this.ctx.shared.historyRead(environment, read) : read()), startedAt, owner);
    } catch {
      return undefined;
    }
    if (!record) return undefined;
    this.baseChanges ??= baseChangesMissing(this.ctx, this.pr.headSha, this.ctx.repository.defaultBranch).catch(() => undefined);
    const missing = await this.baseChanges;
    const lacks = missing !== undefined && (!missing.complete || missing.files.some((f) => isUnder(f, environment.path)));
    return staleNotice(environment.name, record, owner.repository, lacks ? environment.path : undefined);
  }

  /** When the plan of this app's check run on the head started reading the cluster; undefined without one that shows a plan. */
  private async shownPlanStart(environment: string): Promise<string | undefined> {
    this.checkRuns ??= ourCheckRuns(this.ctx.octokit, this.ctx.ref, this.pr.headSha, this.ctx.identity).catch((error: Error) => {
      this.ctx.log.warn({ pr: this.pr.number, error: error.message }, 'check runs not listed: stale plans are not marked');
      return [];
    });
    const run = (await this.checkRuns).find((r) => r.name === checkRunName(environment));
    return run?.record?.plan !== undefined && run.startedAt ? run.startedAt : undefined;
  }
}
