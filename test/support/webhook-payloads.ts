import { createRequire } from 'node:module';
import { INSTALLATION_ID, OWNER, REPO, REPO_ID } from './github-world.ts';

interface Example {
  name: string;
  examples: Record<string, unknown>[];
}

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Example[];

/**
 * A real webhook payload from @octokit/webhooks-examples (one sent to an app installation where there is
 * one), with the repository and installation set to the test world's, and nothing else changed.
 */
function example(event: string, action: string): Record<string, any> {
  const candidates = examples.find((e) => e.name === event)?.examples.filter((e) => e['action'] === action) ?? [];
  const found = candidates.find((e) => e['installation']) ?? candidates[0];
  if (!found) throw new Error(`no ${event}.${action} example`);
  const payload = structuredClone(found) as Record<string, any>;
  const repository = payload['repository'];
  repository.id = REPO_ID;
  repository.name = REPO;
  repository.full_name = `${OWNER}/${REPO}`;
  repository.default_branch = 'main';
  if (repository.owner) repository.owner.login = OWNER;
  payload['installation'] = { ...payload['installation'], id: INSTALLATION_ID };
  return payload;
}

export interface PullRequestOptions {
  number: number;
  headSha: string;
  fork?: boolean;
  author?: string;
  merged?: boolean;
  mergeCommitSha?: string;
}

function pullRequestFields(pr: Record<string, any>, options: PullRequestOptions): void {
  pr.number = options.number;
  pr.head.sha = options.headSha;
  pr.head.repo.name = REPO;
  pr.head.repo.full_name = `${options.fork ? 'someone-else' : OWNER}/${REPO}`;
  pr.base.ref = 'main';
  pr.base.repo.id = REPO_ID;
  pr.base.repo.name = REPO;
  pr.base.repo.full_name = `${OWNER}/${REPO}`;
  pr.user.login = options.author ?? 'author';
  if (options.merged !== undefined) pr.merged = options.merged;
  if (options.mergeCommitSha !== undefined) pr.merge_commit_sha = options.mergeCommitSha;
}

export function pullRequestPayload(action: 'opened' | 'synchronize' | 'reopened' | 'closed', options: PullRequestOptions): Record<string, any> {
  const payload = example('pull_request', action);
  payload['number'] = options.number;
  pullRequestFields(payload['pull_request'], options);
  if (action === 'closed') payload['pull_request'].state = 'closed';
  return payload;
}

export function reviewPayload(action: 'submitted' | 'dismissed', options: PullRequestOptions & { reviewer: string; state: string }): Record<string, any> {
  const payload = example('pull_request_review', action);
  pullRequestFields(payload['pull_request'], options);
  payload['review'].user.login = options.reviewer;
  payload['review'].state = options.state.toLowerCase();
  payload['review'].commit_id = options.headSha;
  payload['sender'].login = options.reviewer;
  return payload;
}

/** A comment on a pull request (`onPullRequest`, the default) or a plain issue, by `user`. */
export function commentPayload(options: { number: number; id: number; body: string; user: string; userType?: string; onPullRequest?: boolean; action?: 'created' | 'edited' | 'deleted' }): Record<string, any> {
  const payload = example('issue_comment', options.action ?? 'created');
  payload['issue'].number = options.number;
  if (options.onPullRequest === false) delete payload['issue'].pull_request;
  else payload['issue'].pull_request = { url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${options.number}` };
  payload['comment'].id = options.id;
  payload['comment'].body = options.body;
  payload['comment'].user = { ...payload['comment'].user, login: options.user, type: options.userType ?? 'User' };
  payload['sender'] = { ...payload['sender'], login: options.user, type: options.userType ?? 'User' };
  return payload;
}

export function checkRunRerequestedPayload(options: { headSha: string; number: number; name: string }): Record<string, any> {
  const payload = example('check_run', 'rerequested');
  payload['check_run'].head_sha = options.headSha;
  payload['check_run'].name = options.name;
  payload['check_run'].pull_requests = [{ number: options.number, head: { sha: options.headSha }, base: {} }];
  return payload;
}
