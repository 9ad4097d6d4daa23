import type { CheckRunOutput } from '../render/check-run.ts';
import { CHECK_TEXT_LIMIT, limitAnnotationMessage, limitAnnotationTitle, limitCheckText, limitCheckTitle } from '../render/github-limits.ts';
import { cutMarkdown } from '../render/markdown-cut.ts';
import type { AppIdentity } from './app-identity.ts';
import { createOnce } from './create-once.ts';
import type { Octokit, RepoRef } from './octokit.ts';

/** GitHub takes at most 50 annotations per create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/**
 * Annotations one check run gets, so completing it takes at most 5 requests. The plan holds at most
 * FINDINGS_PER_PLAN findings (src/plan/finding-caps.ts) and one more annotation per file it left findings
 * out of, which fits; past this, the summary says how many were left out.
 */
export const MAX_ANNOTATIONS = 5 * ANNOTATIONS_PER_REQUEST;

export function checkRunName(environment: string): string {
  return `fsm-gitops/${environment}`;
}

/** The policy recorded for an environment only the pull request has: it matches no policy digest. */
export const NEW_ENVIRONMENT = 'new-environment';

/**
 * What a review records in its check run's `external_id`: the delivery that started it (a retried review
 * updates its own run), the digest of the plan it showed and of the policy it used.
 */
export interface CheckRunRecord {
  delivery: string;
  plan?: string;
  policy?: string;
}

export interface OurCheckRun {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  record: CheckRunRecord | undefined;
  /** When the plan it shows started reading the cluster (ISO 8601; GitHub keeps whole seconds), or null. */
  startedAt: string | null;
}

/**
 * This app's latest check runs on a commit (GET /repos/{owner}/{repo}/commits/{ref}/check-runs with
 * app_id), checked to be the app's own: a pull request's workflow can create a check run of the same name
 * on the same commit, never one of this app.
 */
export async function ourCheckRuns(octokit: Octokit, ref: RepoRef, sha: string, identity: AppIdentity): Promise<OurCheckRun[]> {
  const { data } = await octokit.rest.checks.listForRef({ ...ref, ref: sha, app_id: identity.id, filter: 'latest', per_page: 100 });
  return data.check_runs
    .filter((run) => run.app?.id === identity.id)
    .map((run) => ({ id: run.id, name: run.name, status: run.status, conclusion: run.conclusion ?? null, record: parseRecord(run.external_id), startedAt: run.started_at ?? null }));
}

function parseRecord(externalId: string | null | undefined): CheckRunRecord | undefined {
  if (!externalId) return undefined;
  try {
    const parsed = JSON.parse(externalId) as Partial<CheckRunRecord>;
    return typeof parsed.delivery === 'string' ? (parsed as CheckRunRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Opens a check run on the head commit, in progress, so the PR shows fsm-gitops is at work. The caller has
 * just looked for one of this delivery; a create GitHub carried out but answered 5xx for is found again,
 * not made twice.
 */
export async function startCheckRun(octokit: Octokit, ref: RepoRef, headSha: string, name: string, record: CheckRunRecord, identity: AppIdentity): Promise<number> {
  const { value } = await createOnce(
    async () => (await ourCheckRuns(octokit, ref, headSha, identity)).find((r) => r.name === name && r.record?.delivery === record.delivery)?.id,
    async () =>
      (await octokit.rest.checks.create({ ...ref, head_sha: headSha, name, status: 'in_progress', started_at: new Date().toISOString(), external_id: JSON.stringify(record), request: { retries: 0 } })).data.id,
    { knownAbsent: true },
  );
  return value;
}

/** A plan's completion: its record, and when its read of the cluster started (the run's started_at). */
export interface PlanShown {
  record: CheckRunRecord;
  startedAt: Date;
}

/**
 * Completes the check run; annotations beyond the first 50 go in further updates of 50 each, at most
 * MAX_ANNOTATIONS in all. Every field is held to GitHub's limits (render/github-limits.ts). `plan`, for a
 * run that shows a plan: its record, and its started_at set to when that plan read the cluster (a retried
 * review reuses the run its first try started), which the status block compares applies with (deploy-status.ts).
 */
export async function completeCheckRun(octokit: Octokit, ref: RepoRef, checkRunId: number, output: CheckRunOutput, plan?: PlanShown): Promise<void> {
  const annotations = output.annotations.slice(0, MAX_ANNOTATIONS).map((a) => ({ ...a, title: limitAnnotationTitle(a.title), message: limitAnnotationMessage(a.message) }));
  const batches: CheckRunOutput['annotations'][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const [first = [], ...rest] = batches;
  const left = output.annotations.length - annotations.length;
  const note = left > 0 ? `\n\n_${left.toLocaleString('en-US')} more annotations left out (a check run gets at most ${MAX_ANNOTATIONS}): run \`fsm-gitops plan\` for all findings._` : '';
  const summary = `${cutMarkdown(output.summary, CHECK_TEXT_LIMIT - note.length)}${note}`;
  const base = { title: limitCheckTitle(output.title), summary, text: limitCheckText(output.text) };
  await octokit.rest.checks.update({
    ...ref,
    check_run_id: checkRunId,
    status: 'completed',
    conclusion: output.conclusion,
    completed_at: new Date().toISOString(),
    // Whole seconds, rounded down as GitHub keeps them: a later apply in that second still reads as after it.
    ...(plan ? { external_id: JSON.stringify(plan.record), started_at: new Date(Math.floor(plan.startedAt.getTime() / 1000) * 1000).toISOString() } : {}),
    output: { ...base, annotations: first },
  });
  for (const annotations of rest) {
    await octokit.rest.checks.update({ ...ref, check_run_id: checkRunId, output: { ...base, annotations } });
  }
}

/** A check run that could not plan (config broken, cluster unreachable): failed, with why and where. */
export async function failedCheckRun(
  octokit: Octokit,
  ref: RepoRef,
  headSha: string,
  name: string,
  title: string,
  summary: string,
  annotation?: { path: string; line: number; message: string },
): Promise<void> {
  await octokit.rest.checks.create({
    ...ref,
    head_sha: headSha,
    name,
    status: 'completed',
    conclusion: 'failure',
    completed_at: new Date().toISOString(),
    output: {
      title: limitCheckTitle(title),
      summary: limitCheckText(summary),
      annotations: annotation ? [{ path: annotation.path, start_line: annotation.line, end_line: annotation.line, annotation_level: 'failure', message: limitAnnotationMessage(annotation.message) }] : [],
    },
  });
}
