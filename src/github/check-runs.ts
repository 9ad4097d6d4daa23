import type { CheckRunOutput } from '../render/check-run.ts';
import type { Octokit, RepoRef } from './octokit.ts';

/** GitHub takes at most 50 annotations per create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

export function checkRunName(environment: string): string {
  return `fsm-gitops/${environment}`;
}

/** Opens a check run on the head commit, in progress, so the PR shows fsm-gitops is at work. */
export async function startCheckRun(octokit: Octokit, ref: RepoRef, headSha: string, name: string): Promise<number> {
  const { data } = await octokit.rest.checks.create({ ...ref, head_sha: headSha, name, status: 'in_progress', started_at: new Date().toISOString() });
  return data.id;
}

/** Completes the check run; annotations beyond the first 50 go in further updates of 50 each. */
export async function completeCheckRun(octokit: Octokit, ref: RepoRef, checkRunId: number, output: CheckRunOutput): Promise<void> {
  const batches: CheckRunOutput['annotations'][] = [];
  for (let i = 0; i < output.annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(output.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const [first = [], ...rest] = batches;
  const base = { title: output.title, summary: output.summary, text: output.text };
  await octokit.rest.checks.update({
    ...ref,
    check_run_id: checkRunId,
    status: 'completed',
    conclusion: output.conclusion,
    completed_at: new Date().toISOString(),
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
      title,
      summary,
      annotations: annotation ? [{ path: annotation.path, start_line: annotation.line, end_line: annotation.line, annotation_level: 'failure', message: annotation.message }] : [],
    },
  });
}
