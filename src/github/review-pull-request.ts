import { policyDigest, policyFinding } from '../config/policy.ts';
import type { RepoConfig } from '../config/repo-config.ts';
import { sortFindings, type Finding } from '../core/finding.ts';
import { chartVersionFindings } from '../fsm/rules/chart-upgrade.ts';
import { loadEnvironment } from '../desired/load-environment.ts';
import { planDigest } from '../deploy/plan-digest.ts';
import { reviewScope, type ReviewedEnvironment } from '../deploy/review-scope.ts';
import { referenceLiveState } from '../live/reference-state.ts';
import { planEnvironment } from '../plan/plan.ts';
import type { EnvironmentPlan } from '../plan/plan-types.ts';
import { renderCheckRun } from '../render/check-run.ts';
import { markdownCode } from '../render/markdown-escape.ts';
import { clip, limitCheckTitle } from '../render/github-limits.ts';
import { MESSAGE_SHOWN } from '../render/summary.ts';
import { environmentEnd, environmentStart, escapeMarkdown, renderMarkdown } from '../render/markdown.ts';
import { meanwhile } from '../workflow/ahead.ts';
import { LiveRead } from '../workflow/live-read.ts';
import { planAgainst } from '../workflow/plan-repository.ts';
import type { EventContext } from './app-context.ts';
import { chartWaitFinding } from './chart-wait-budget.ts';
import { checkRunName, completeCheckRun, failedCheckRun, NEW_ENVIRONMENT, ourCheckRuns, startCheckRun } from './check-runs.ts';
import { deployStatusBlock, statusEnvironments, type StatusTarget } from './deploy-status.ts';
import { GitHubRepoFiles } from './github-repo-files.ts';
import { changedPaths } from './pull-request-state.ts';
import { readConfigs, type ConfigAtCommit } from './repo-config-at.ts';
import { environmentSectionOf, environmentsFilesUnchanged, environmentsShown, findStickyComment, section, sectionOf, withEnvironmentSection, withSection, writeStickyComment } from './sticky-comment.ts';

export interface ReviewRequest extends StatusTarget {
  /** The delivery that asked: a retried review updates the check runs it started. */
  delivery: string;
  /** `/fsm plan env...`: only these environments. */
  only?: readonly string[];
  /** The pull request was just opened: no earlier review can have left a comment to correct. */
  opened?: boolean;
}

/** For the delivery's log line; `config invalid`: a failing check `fsm-gitops` says which config is wrong, and nothing else was reviewed. */
export type ReviewOutcome = 'unconfigured' | 'untouched' | 'config invalid' | 'reviewed';

const FORK_NOTE = 'This pull request comes from a fork: it was planned from its files and the live state only. The cluster did not dry-run it, and fsm-gitops will not apply it.';
/** Room left in the comment for the status block and deploy log to grow. */
const STICKY_PLAN_LIMIT = 60_000;

/**
 * Reviews a pull request under the default branch's policy: for each environment it touches, a check run
 * `fsm-gitops/<env>` with the plan and an annotation per finding, and one PR comment for all of them with
 * each environment's deploy status, edited in place on every push. The pull request's own
 * `.github/fsm-gitops.yml` is validated and its policy changes shown ("takes effect after merge"); it never
 * decides which cluster, mesh or namespaces a plan reads.
 */
export async function reviewPullRequest(ctx: EventContext, pr: ReviewRequest): Promise<ReviewOutcome> {
  const eventBudgetMs = ctx.deadline - Date.now();
  const { defaultBranch: base, commits } = await readConfigs(ctx.octokit, ctx.ref, [pr.headSha]);
  const head = commits[0]!;
  if (head.error) await configCheck(ctx, pr, head, 'this pull request');
  if (base.error) await configCheck(ctx, pr, base, `the default branch (${base.branch})`);
  const configInvalid = head.error !== undefined || base.error !== undefined;
  if (!base.config && !head.config) return configInvalid ? 'config invalid' : 'unconfigured';

  const changed = await changedPaths(ctx.octokit, ctx.ref, pr.number);
  // A head config that cannot be read changes no policy (its check says why); it does not remove environments.
  const headConfig = head.error ? base.config : head.config;
  const scope = reviewScope(base.config, headConfig, changed, ctx.deps.settings.maxEnvironmentsPerReview, pr.only);
  if (scope.environments.length === 0) {
    if (!configInvalid && !pr.opened) await nothingTouchedNow(ctx, pr, { base: base.config, head: headConfig });
    return configInvalid ? 'config invalid' : 'untouched';
  }

  const reused = new Map((await ourCheckRuns(ctx.octokit, ctx.ref, pr.headSha, ctx.identity)).filter((r) => r.record?.delivery === pr.delivery).map((r) => [r.name, r.id]));
  const checkRuns = new Map<string, number>();
  for (const environment of scope.environments) {
    const name = checkRunName(environment.name);
    checkRuns.set(environment.name, reused.get(name) ?? (await startCheckRun(ctx.octokit, ctx.ref, pr.headSha, name, { delivery: pr.delivery }, ctx.identity)));
  }
  try {
    const notes = pr.fromFork ? [FORK_NOTE] : [];
    if (base.error) notes.push(`❌ The default branch's ${markdownCode(base.error.file)} is not valid (line ${base.error.line}): environments are planned as new, from their files only, until it is fixed.`);
    if (scope.skipped.length > 0) {
      notes.push(`Not planned: ${scope.skipped.map((s) => `\`${s}\``).join(', ')}. A review plans at most ${ctx.deps.settings.maxEnvironmentsPerReview} environments (the app's MAX_ENVIRONMENTS_PER_REVIEW); \`/fsm plan <env>\` plans others.`);
    }
    const files = new GitHubRepoFiles(ctx.octokit, ctx.ref, pr.headSha);
    const plans: EnvironmentPlan[] = [];
    const plannedAt = new Map<string, Date>();
    const failures = new Map<string, string>();
    for (const environment of scope.environments) {
      const startedAt = new Date();
      const planned = await planAndCheck(ctx, pr, files, environment, headConfig, checkRuns.get(environment.name)!, eventBudgetMs, startedAt);
      if (typeof planned === 'string') {
        failures.set(environment.name, planned);
        notes.push(planned);
      } else {
        plans.push(planned);
        plannedAt.set(environment.name, startedAt);
        if (!environment.changesFiles && !environment.isNew) notes.push(filesUnchangedNote(environment.name));
      }
    }
    await publishComment(ctx, pr, scope.environments, { plans, plannedAt, failures, notes }, { base: base.config, head: headConfig });
  } catch (error) {
    // Never leave a check run in progress: say what stopped the review, then let the event fail (and be retried).
    const message = escapeMarkdown(clip((error as Error).message, MESSAGE_SHOWN));
    for (const checkRunId of checkRuns.values()) {
      await completeCheckRun(ctx.octokit, ctx.ref, checkRunId, { conclusion: 'failure', title: 'Review failed', summary: `fsm-gitops could not finish this review: ${message}`, text: '', annotations: [] }).catch(() => {});
    }
    throw error;
  }
  return 'reviewed';
}

/**
 * Writes the pull request's comment: the status block, the deploy log as it was, and the plans. A narrow
 * review (`/fsm plan env`) replaces only the sections of the environments it planned: the others stay as the
 * last full review left them, and the status block covers both.
 */
async function publishComment(
  ctx: EventContext,
  pr: ReviewRequest,
  reviewed: readonly ReviewedEnvironment[],
  outcome: { plans: EnvironmentPlan[]; plannedAt: ReadonlyMap<string, Date>; failures: ReadonlyMap<string, string>; notes: string[] },
  configs: { base: RepoConfig | undefined; head: RepoConfig | undefined },
): Promise<void> {
  const narrow = (pr.only?.length ?? 0) > 0;
  const previous = narrow ? await findStickyComment(ctx.octokit, ctx.ref, pr.number, ctx.identity) : undefined;
  const planned = new Set(reviewed.map((e) => e.name));
  const names = [...new Set([...(previous ? environmentsShown(previous.body) : []), ...planned])];
  const filesUnchanged = [...(previous ? environmentsFilesUnchanged(previous.body).filter((e) => !planned.has(e)) : []), ...reviewed.filter((e) => !e.changesFiles).map((e) => e.name)];
  const status = await deployStatusBlock(ctx, pr, statusEnvironments(names, configs.base, configs.head, filesUnchanged), outcome.plannedAt);
  const hint = `See the ${reviewed.map((e) => `\`${checkRunName(e.name)}\``).join(', ')} check runs for the full diff.`;
  await writeStickyComment(ctx.octokit, ctx.ref, pr.number, ctx.identity, (current) => {
    const preamble = statusAndLog(status, current);
    const full = renderMarkdown({ environments: outcome.plans }, { notes: outcome.notes, fullPlanHint: hint, preamble, maxLength: STICKY_PLAN_LIMIT, environmentMarkers: true });
    if (!narrow || current === undefined) return full;
    let body = withSection(current, 'status', status);
    for (const environment of reviewed) {
      const planned = environmentSectionOf(full, environment.name);
      const failure = outcome.failures.get(environment.name) ?? 'Could not be planned: see its check run.';
      const section = planned ?? `${environmentStart(environment.name)}\n### ❌ \`${environment.name}\`\n\n${failure}\n${environmentEnd(environment.name)}`;
      body = withEnvironmentSection(body, environment.name, section);
    }
    return body.length <= STICKY_PLAN_LIMIT + 4_000 ? body : full;
  });
}

/** The comment's head: the new status block, then the deploy log `current` holds, as it was. */
function statusAndLog(status: string, current: string | undefined): string {
  const log = current === undefined ? undefined : sectionOf(current, 'log');
  return [section('status', status), ...(log ? [section('log', log)] : [])].join('\n\n');
}

/**
 * A pull request that touched environments and no longer does (a push took its changes back): the comment an
 * earlier review left would go on saying that merging deploys them. Its plans go, a note says the pull request
 * deploys nothing now, and the status block keeps the environments it showed, each as one whose files the pull
 * request does not change, with its claim and pin (a claim the pull request took by /fsm apply still holds the
 * environment); the deploy log stays. Status refreshes keep that (the files-unchanged tag). No comment, none is
 * written.
 */
async function nothingTouchedNow(ctx: EventContext, pr: ReviewRequest, configs: { base: RepoConfig | undefined; head: RepoConfig | undefined }): Promise<void> {
  const found = await findStickyComment(ctx.octokit, ctx.ref, pr.number, ctx.identity);
  if (!found) return;
  const shown = environmentsShown(found.body);
  const status = await deployStatusBlock(ctx, pr, statusEnvironments(shown, configs.base, configs.head, shown));
  const note = `This pull request (at \`${pr.headSha.slice(0, 7)}\`) no longer changes any managed environment: merging it deploys nothing.`;
  await writeStickyComment(ctx.octokit, ctx.ref, pr.number, ctx.identity, (current) => {
    if (current === undefined) return undefined;
    const preamble = statusAndLog(status, current);
    return renderMarkdown({ environments: [] }, { notes: [note], preamble, maxLength: STICKY_PLAN_LIMIT, environmentMarkers: true });
  });
}

/**
 * Plans one environment and completes its check run; a plan that cannot be made fails its check run, and the note
 * saying so is returned. `startedAt`: now, before the cluster is read (the check run's started_at).
 */
async function planAndCheck(
  ctx: EventContext,
  pr: ReviewRequest,
  files: GitHubRepoFiles,
  environment: ReviewedEnvironment,
  headConfig: RepoConfig | undefined,
  checkRunId: number,
  eventBudgetMs: number,
  startedAt: Date,
): Promise<EnvironmentPlan | string> {
  const policy = environment.policy;
  const started = startedAt.getTime();
  // The cluster is read while the files are fetched; its failure is the check run's, below.
  const read = environment.isNew ? undefined : LiveRead.start(() => ctx.deps.live.reader(policy.cluster), policy.mesh);
  // Reading the files fails only when GitHub does (a 5xx, a revoked token): the read is stopped, then the review
  // fails (nothing of it still running when the worker returns), and is retried.
  const desired = await meanwhile(read ? [read.state] : [], () => loadEnvironment(files, policy));
  let plan: EnvironmentPlan;
  try {
    const planned = read ? await planAgainst(desired, read, { serverDryRun: !pr.fromFork }) : { plan: planEnvironment(desired, referenceLiveState(desired)), set: undefined };
    plan = planned.plan;
    const refusedAfterMerge = read ? await afterMerge(environment, read) : [];
    const added = [environment.policyChange ? policyFinding(environment.policyChange, headConfig, refusedAfterMerge.length > 0) : undefined, chartWaitFinding(policy, planned.set?.chart, eventBudgetMs, Date.now() - started)];
    plan.findings = sortFindings([...plan.findings, ...added.filter((f) => f !== undefined), ...refusedAfterMerge]);
  } catch (error) {
    const message = clip((error as Error).message, MESSAGE_SHOWN);
    await completeCheckRun(ctx.octokit, ctx.ref, checkRunId, {
      conclusion: 'failure',
      title: limitCheckTitle(`Could not plan ${environment.name}`),
      summary: `fsm-gitops could not plan environment ${markdownCode(environment.name)} (cluster ${markdownCode(policy.cluster)}): ${escapeMarkdown(message)}\n\nRe-run this check once the cause is fixed.`,
      text: '',
      annotations: [],
    });
    return `❌ \`${environment.name}\` could not be planned: ${escapeMarkdown(message)}`;
  }
  // Outside the try: GitHub refusing the check run is not a plan that could not be made. It fails the review,
  // which is tried again (as a failure to read the files is).
  const notes = [...(pr.fromFork ? [FORK_NOTE] : []), ...(!environment.changesFiles && !environment.isNew ? [filesUnchangedNote(environment.name)] : [])];
  await completeCheckRun(ctx.octokit, ctx.ref, checkRunId, renderCheckRun(plan, notes, { dryRun: !pr.fromFork }), {
    record: {
      delivery: pr.delivery,
      plan: planDigest(plan),
      // A policy the pull request itself brings is never one a merge may deploy under.
      policy: environment.isNew ? NEW_ENVIRONMENT : policyDigest(policy),
    },
    startedAt,
  });
  return plan;
}

/** Said of an environment planned though the pull request changes none of its files (`/fsm plan env`, or a policy change alone). */
function filesUnchangedNote(name: string): string {
  return `This pull request changes none of \`${name}\`'s files: its plan is how the cluster differs from them as they are on this branch, and merging deploys nothing there.`;
}

/**
 * What the pull request's own policy would refuse once merged, judged against the live release: a
 * chart.version it changes to a downgrade or an unallowed breaking bump (chart-upgrade.ts). Found only after
 * the merge, it would stop every later deploy of the environment; said here, it fails this review.
 */
async function afterMerge(environment: ReviewedEnvironment, read: LiveRead): Promise<Finding[]> {
  const change = environment.policyChange;
  if (change?.kind !== 'changed' || change.head.chart?.version === change.base.chart?.version) return [];
  const release = (await read.state.result()).helmRelease;
  if (!release) return [];
  return chartVersionFindings(change.head, release).map((f) => ({ ...f, message: `after merge: ${f.message}` }));
}

/** A config that cannot be used: one failing check `fsm-gitops` at the line that is wrong. */
async function configCheck(ctx: EventContext, pr: ReviewRequest, at: ConfigAtCommit, where: string): Promise<void> {
  const error = at.error!;
  const problem = error.message.slice(error.message.indexOf(': ') + 2);
  const onHead = at.sha === pr.headSha;
  await failedCheckRun(
    ctx.octokit,
    ctx.ref,
    pr.headSha,
    'fsm-gitops',
    limitCheckTitle(`${error.file} is not valid`),
    `${markdownCode(error.file)} of ${escapeMarkdown(where)}, line ${error.line}: ${escapeMarkdown(problem)}`,
    onHead ? { path: error.file, line: error.line, message: problem } : undefined,
  );
}
