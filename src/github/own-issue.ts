import type { Octokit, RepoRef } from './octokit.ts';

export interface OwnIssue {
  number: number;
  title: string;
  body: string;
}

/**
 * The open issue this app opened whose body starts with `marker` (the drift issue, an environment's
 * failed-deploy issue), found by its creator, the app's bot (GitHub REST `GET /repos/{owner}/{repo}/issues`,
 * `creator`), not by its label: a person who removes the label while triaging must not make the app open a
 * second issue and leave the first behind for ever. A missing `label` is put back, so people find the
 * issue by it again. Pull requests, which that endpoint lists too, are skipped. Reads the newest 100.
 */
export async function findOwnIssue(octokit: Octokit, ref: RepoRef, botLogin: string, marker: string, label: string): Promise<OwnIssue | undefined> {
  const { data } = await octokit.rest.issues.listForRepo({ ...ref, creator: botLogin, state: 'open', per_page: 100 });
  const issue = data.find((i) => !i.pull_request && i.user?.login === botLogin && i.body?.startsWith(marker));
  if (!issue) return undefined;
  const labelled = issue.labels.some((l) => (typeof l === 'string' ? l : l.name) === label);
  if (!labelled) await octokit.rest.issues.addLabels({ ...ref, issue_number: issue.number, labels: [label] });
  return { number: issue.number, title: issue.title, body: issue.body ?? '' };
}
