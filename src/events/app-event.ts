/**
 * What the app acts on, cut from a GitHub webhook delivery: the fields the worker needs and nothing else.
 * The queue carries these (a few hundred bytes) instead of the raw payload (which can pass SQS's 256 KiB).
 */
export interface RepositoryRef {
  owner: string;
  repo: string;
  /** GitHub's numeric repository id: stable across renames, and the queue's group id. */
  id: number;
  /** Full name, for logs only. */
  fullName: string;
  defaultBranch: string;
}

export interface Actor {
  login: string;
  /** `User`, `Bot` or `Organization`, as GitHub says. */
  type: string;
}

export interface PullRequestInfo {
  number: number;
  headSha: string;
  /** `owner/name` of the head repository; null when the fork was deleted. */
  headRepo: string | null;
  baseRef: string;
  author: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeCommitSha: string | null;
  /** Where people read the pull request (a Deployment's log_url). */
  htmlUrl: string | undefined;
}

interface EventBase {
  /** x-github-delivery */
  delivery: string;
  installation: number;
  repository: RepositoryRef;
  sender: Actor;
}

export interface PullRequestEvent extends EventBase {
  type: 'pull_request';
  action: 'opened' | 'synchronize' | 'reopened' | 'closed';
  pullRequest: PullRequestInfo;
}

export interface PullRequestReviewEvent extends EventBase {
  type: 'pull_request_review';
  action: 'submitted' | 'edited' | 'dismissed';
  pullRequest: PullRequestInfo;
}

export interface CommentEvent extends EventBase {
  type: 'issue_comment';
  action: 'created';
  issue: { number: number; isPullRequest: boolean };
  comment: {
    id: number;
    /** The comment's text, cut at COMMENT_BODY_LIMIT characters (a command is one short line). */
    body: string;
    /** The text was longer than COMMENT_BODY_LIMIT. */
    truncated: boolean;
    user: Actor;
    htmlUrl: string | undefined;
  };
}

export interface CheckRunEvent extends EventBase {
  type: 'check_run';
  action: 'rerequested';
  checkRun: { name: string; headSha: string; pullRequests: number[] };
}

export type AppEvent = PullRequestEvent | PullRequestReviewEvent | CommentEvent | CheckRunEvent;

/** More than any command needs; longer comments are cut (and never a command). */
export const COMMENT_BODY_LIMIT = 4096;

/** Whether the pull request's head lives in another repository than its base. */
export function isFork(event: { repository: RepositoryRef; pullRequest: PullRequestInfo }): boolean {
  return event.pullRequest.headRepo !== event.repository.fullName;
}
