import type { Octokit, RepoRef } from './octokit.ts';

export interface OwnIssue {
  number: number;
  title: string;
  body: string;
}

/**
 * The open issue this app opened whose body starts with `marker` (the drift issue, an environment's
 * failed-deploy issue). Looked for by its label first, then, when none carries it, by its creator (GitHub
 * REST `GET /repos/{owner}/{repo}/issues`, `creator`: the app's bot): a person who removes the label while
 * triaging must not make the app open a second issue and leave the first behind for ever. The label is put
 * back then, so people find the issue by it again. The label comes first because a server-side filter by a
 * bot's login is not matched everywhere (renovatebot/renovate#44730: GitHub Enterprise Cloud, GraphQL);
 * either way the issue's author is checked here. Pull requests, which that endpoint lists too, are skipped.
 * Reads the newest 100 of each list.
 */
export async function findOwnIssue(octokit: Octokit, ref: RepoRef, botLogin: string, marker: string, label: string): Promise<OwnIssue | undefined> {
  const ours = (issues: ListedIssue[]) => issues.find((i) => !i.pull_request && i.user?.login === botLogin && i.body?.startsWith(marker));
  const labelled = ours((await octokit.rest.issues.listForRepo({ ...ref, labels: label, state: 'open', per_page: 100 })).data);
  if (labelled) return shape(labelled);
  const unlabelled = ours((await octokit.rest.issues.listForRepo({ ...ref, creator: botLogin, state: 'open', per_page: 100 })).data);
  if (!unlabelled) return undefined;
  await octokit.rest.issues.addLabels({ ...ref, issue_number: unlabelled.number, labels: [label] });
  return shape(unlabelled);
}

type ListedIssue = Awaited<ReturnType<Octokit['rest']['issues']['listForRepo']>>['data'][number];

function shape(issue: ListedIssue): OwnIssue {
  return { number: issue.number, title: issue.title, body: issue.body ?? '' };
}
