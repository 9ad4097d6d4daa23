import { COMMENT_BODY_LIMIT, type Actor, type AppEvent, type PullRequestInfo, type RepositoryRef } from './app-event.ts';

/** The events the app acts on (app.yml's default_events); anything else is answered and dropped. */
export const HANDLED_EVENTS: ReadonlySet<string> = new Set(['pull_request', 'check_run', 'issue_comment', 'pull_request_review']);

export type Extracted = { event: AppEvent; ignored?: undefined } | { event?: undefined; ignored: string };

type Json = Record<string, unknown>;

/**
 * Cuts a webhook delivery down to the AppEvent the worker needs, or says why the app ignores it. The
 * payload is GitHub's (its signature was checked) but its shape is checked anyway: a field that is not
 * where GitHub documents it is a reason to ignore the delivery, never a crash.
 * Payload shapes: https://docs.github.com/webhooks/webhook-events-and-payloads
 */
export function fromWebhook(name: string, delivery: string, payload: unknown): Extracted {
  if (!HANDLED_EVENTS.has(name)) return { ignored: `event ${name} is not one fsm-gitops acts on` };
  if (!isJson(payload)) return { ignored: 'the payload is not a JSON object' };
  const action = str(payload['action']);
  const installation = num(obj(payload['installation'])?.['id']);
  const repository = repositoryOf(payload['repository']);
  const sender = actorOf(payload['sender']);
  if (installation === undefined || !repository || !sender) return { ignored: `${name}.${action ?? '?'} without an installation, repository or sender` };
  const base = { delivery, installation, repository, sender };

  switch (name) {
    case 'pull_request': {
      if (action !== 'opened' && action !== 'synchronize' && action !== 'reopened' && action !== 'closed') return { ignored: `pull_request.${action} needs nothing` };
      const pullRequest = pullRequestOf(payload['pull_request']);
      return pullRequest ? { event: { ...base, type: 'pull_request', action, pullRequest } } : { ignored: 'pull_request without a pull request' };
    }
    case 'pull_request_review': {
      if (action !== 'submitted' && action !== 'edited' && action !== 'dismissed') return { ignored: `pull_request_review.${action} needs nothing` };
      const pullRequest = pullRequestOf(payload['pull_request']);
      return pullRequest ? { event: { ...base, type: 'pull_request_review', action, pullRequest } } : { ignored: 'pull_request_review without a pull request' };
    }
    case 'issue_comment': {
      // An edited or deleted comment is never a command: only what was said when it was said counts.
      if (action !== 'created') return { ignored: `issue_comment.${action} is not a command` };
      const issue = obj(payload['issue']);
      const comment = obj(payload['comment']);
      const number = num(issue?.['number']);
      const id = num(comment?.['id']);
      const user = actorOf(comment?.['user']);
      const body = str(comment?.['body']) ?? '';
      if (number === undefined || id === undefined || !user) return { ignored: 'issue_comment without an issue or comment' };
      return {
        event: {
          ...base,
          type: 'issue_comment',
          action,
          issue: { number, isPullRequest: obj(issue?.['pull_request']) !== undefined },
          comment: { id, body: body.slice(0, COMMENT_BODY_LIMIT), truncated: body.length > COMMENT_BODY_LIMIT, user, htmlUrl: url(comment?.['html_url']) },
        },
      };
    }
    default: {
      if (action !== 'rerequested') return { ignored: `check_run.${action} needs nothing` };
      const run = obj(payload['check_run']);
      const checkName = str(run?.['name']);
      const headSha = str(run?.['head_sha']);
      if (!checkName || !headSha) return { ignored: 'check_run without a name or head SHA' };
      const pullRequests = (Array.isArray(run?.['pull_requests']) ? run['pull_requests'] : []).map((p) => num(obj(p)?.['number'])).filter((n): n is number => n !== undefined);
      return { event: { ...base, type: 'check_run', action, checkRun: { name: checkName, headSha, pullRequests } } };
    }
  }
}

function repositoryOf(value: unknown): RepositoryRef | undefined {
  const repo = obj(value);
  const owner = str(obj(repo?.['owner'])?.['login']);
  const name = str(repo?.['name']);
  const id = num(repo?.['id']);
  const fullName = str(repo?.['full_name']);
  if (!owner || !name || id === undefined || !fullName) return undefined;
  return { owner, repo: name, id, fullName, defaultBranch: str(repo?.['default_branch']) ?? 'main' };
}

function pullRequestOf(value: unknown): PullRequestInfo | undefined {
  const pr = obj(value);
  const head = obj(pr?.['head']);
  const number = num(pr?.['number']);
  const headSha = str(head?.['sha']);
  const author = str(obj(pr?.['user'])?.['login']);
  if (number === undefined || !headSha || !author) return undefined;
  return {
    number,
    headSha,
    headRepo: str(obj(head?.['repo'])?.['full_name']) ?? null,
    baseRef: str(obj(pr?.['base'])?.['ref']) ?? '',
    author,
    state: pr?.['state'] === 'closed' ? 'closed' : 'open',
    merged: pr?.['merged'] === true,
    mergeCommitSha: str(pr?.['merge_commit_sha']) ?? null,
    htmlUrl: url(pr?.['html_url']),
  };
}

function actorOf(value: unknown): Actor | undefined {
  const user = obj(value);
  const login = str(user?.['login']);
  return login ? { login, type: str(user?.['type']) ?? 'User' } : undefined;
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function obj(value: unknown): Json | undefined {
  return isJson(value) ? value : undefined;
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
/** An https URL, and nothing else, for links the app writes. */
function url(value: unknown): string | undefined {
  const text = str(value);
  return text && /^https:\/\/[^\s"'<>]+$/.test(text) && text.length <= 500 ? text : undefined;
}
function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}
