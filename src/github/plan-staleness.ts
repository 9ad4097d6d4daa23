import { readHistory, type ApplyRecord } from '../apply/history.ts';
import type { EnvironmentConfig } from '../config/repo-config.ts';
import { describeDeploy } from '../render/apply-record.ts';
import type { StatusContext } from './app-context.ts';
import type { OurCheckRun } from './check-runs.ts';

/** Whose status block it is: a record of this pull request's own apply does not make its plan stale. */
export interface PlanOwner {
  repository: string;
  pr: number;
}

/**
 * The newest apply of an environment recorded after a pull request's plan of it started reading the cluster,
 * by anyone but that pull request (another's /fsm apply or merge deploy, a rollback, the CLI): that plan was made
 * against a cluster that is no more. It may still be what an apply does (the digest /fsm apply and a merge deploy
 * compare covers the changes only), or not: planning again tells.
 * `history`: the environment's records (readHistory); `planStartedAt`: the check run's started_at (ISO 8601).
 * Records that wrote nothing (refused) or put the cluster back (rolled-back) do not count; `failed` does (what it
 * left is in the cluster). GitHub keeps whole seconds of started_at, so an apply recorded in the second the plan
 * started counts: said once too often rather than missed. Undefined when the plan is current, or a time does not parse.
 */
export function appliedSincePlan(history: readonly ApplyRecord[], planStartedAt: string, owner: PlanOwner): ApplyRecord | undefined {
  const since = Date.parse(planStartedAt);
  if (Number.isNaN(since)) return undefined;
  const own = (record: ApplyRecord) => record.pr === owner.pr && (record.repository ?? owner.repository) === owner.repository;
  const counted = history.filter((r) => (r.result === 'applied' || r.result === 'failed') && Date.parse(r.time) >= since && !own(r));
  return counted.sort((a, b) => Date.parse(b.time) - Date.parse(a.time))[0];
}

/** The status block's line part for a plan the cluster moved from (Markdown, escaped). */
export function staleNotice(environment: string, record: ApplyRecord, repository: string): string {
  return `⚠️ changed since this plan: ${describeDeploy(record, repository)}. The plan above was made before it: \`/fsm plan ${environment}\` plans against the cluster as it is now`;
}

/**
 * Reads the environment's history and says whether the plan `checkRun` shows is stale (appliedSincePlan).
 * Best effort: a check run without a plan, a snapshot cluster, or a history that cannot be read says nothing
 * (the locks beside it say when the cluster cannot be read).
 */
export async function planChangedSince(ctx: Pick<StatusContext, 'deps'>, environment: EnvironmentConfig, checkRun: OurCheckRun | undefined, owner: PlanOwner): Promise<ApplyRecord | undefined> {
  if (!checkRun?.record?.plan || !checkRun.startedAt || ctx.deps.live.isSnapshot(environment.cluster)) return undefined;
  const startedAt = checkRun.startedAt;
  try {
    const client = await ctx.deps.live.client(environment.cluster);
    return appliedSincePlan(await readHistory(client, environment.mesh.namespace, environment.name), startedAt, owner);
  } catch {
    return undefined;
  }
}
