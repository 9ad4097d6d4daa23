import { createHash } from 'node:crypto';
import nock from 'nock';
import { checkRunRefusal, issueRefusal } from './github-field-limits.ts';

export const API = 'https://api.github.com';
export const OWNER = 'acme';
export const REPO = 'mesh-config';
export const REPO_ID = 700100;
export const INSTALLATION_ID = 4242;
export const APP_ID = 1;
export const APP_SLUG = 'fsm-gitops';
export const BOT_LOGIN = `${APP_SLUG}[bot]`;

export type Files = Record<string, string | Uint8Array>;
export type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface Comment {
  id: number;
  issue_number: number;
  body: string;
  user: { login: string; type: string };
  reactions: { content: string; user: string }[];
}

export interface Annotation {
  path: string;
  start_line: number;
  annotation_level: string;
  title?: string;
  message: string;
}

export interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion?: string | null;
  external_id?: string;
  app: { id: number; slug: string };
  output?: { title?: string; summary?: string; text?: string; annotations?: Annotation[] };
  annotations: Annotation[];
}

export interface Deployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  task: string;
  payload: Record<string, unknown>;
  description: string | null;
  auto_merge: boolean | undefined;
  required_contexts: string[] | undefined;
  production_environment: boolean | undefined;
  /** Who created it: the app unless a test says otherwise. */
  creator?: string;
  statuses: { id: number; state: string; description?: string; log_url?: string }[];
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  /** Who opened it (the app, for what it creates). */
  user?: { login: string; type: string };
  state: 'open' | 'closed';
  labels: { name: string }[];
  comments: string[];
}

export interface ReviewState {
  id: number;
  user: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  commit_id: string;
  userType?: string;
}

export interface PullState {
  number: number;
  headSha: string;
  /** `owner/name`: another owner makes a fork. */
  headRepo: string;
  headRef: string;
  baseRef: string;
  author: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeCommitSha: string | null;
  /** null while GitHub computes it; `mergeableAnswers` are given first, one per request. */
  mergeable: boolean | null;
  mergeableAnswers: (boolean | null)[];
  /** Paths the pull request changes. */
  changed: string[];
  reviews: ReviewState[];
  /** The default branch's commit the pull request branched from (its merge base). */
  forkedFrom: string;
  /** Logins that authored the pull request's commits (default: its author). */
  commitAuthors: string[];
}

export interface WorldOptions {
  /** The default branch's files (and the base of every pull request). */
  base: Files;
  baseSha?: string;
  /** The default branch's name (default: main). */
  defaultBranch?: string;
  /** Further commits: sha → files. */
  commits?: Record<string, Files>;
  pulls?: Partial<PullState>[];
  collaborators?: Record<string, Role>;
  /** `org/slug` → member logins. */
  teams?: Record<string, string[]>;
  comments?: Omit<Comment, 'reactions'>[];
  issues?: Issue[];
  /** Per route key (`POST comments`, `POST deployments`, `POST check-runs`, `PATCH check-runs`, `POST deployment-statuses`, `GET team-memberships`, `GET trees`): answers given before the real ones. */
  faults?: Record<string, Fault[]>;
}

/** An answer injected before the real one: `carriedOut` does the work first (GitHub did it, the app saw an error). */
export interface Fault {
  status: number;
  /** GitHub's message in the answer (default: 'failure injected by the test'). */
  message?: string;
  carriedOut?: boolean;
  headers?: Record<string, string>;
  /** `POST deployment-statuses` only: the fault answers a status of this state alone (`success`), others pass. */
  state?: string;
}

export const blobSha = (content: Uint8Array): string => createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');
const encode = (files: Files): Map<string, Uint8Array> =>
  new Map(Object.entries(files).map(([path, content]) => [path, typeof content === 'string' ? new TextEncoder().encode(content) : content]));

/**
 * GitHub's API for one repository, as nock interceptors with state: commits and their trees, pull requests
 * with reviews, collaborators and teams, comments and reactions, check runs (owned by this app or not),
 * deployments with statuses, issues. What the app does can be read back; every request is recorded.
 * Shapes follow docs.github.com/rest for the fields the app reads.
 */
export class GitHubWorld {
  readonly requests: RecordedRequest[] = [];
  readonly commits = new Map<string, Map<string, Uint8Array>>();
  readonly branches = new Map<string, string>();
  readonly pulls: PullState[] = [];
  readonly comments: Comment[] = [];
  readonly checkRuns: CheckRun[] = [];
  readonly defaultBranch: string;
  readonly deployments: Deployment[] = [];
  readonly issues: Issue[];
  readonly collaborators: Record<string, Role>;
  readonly teams: Record<string, string[]>;
  readonly faults: Record<string, Fault[]>;
  readonly scope: nock.Scope;
  private readonly blobs = new Map<string, Uint8Array>();
  private nextId = 9000;

  constructor(options: WorldOptions) {
    const baseSha = options.baseSha ?? 'c'.repeat(40);
    this.addCommit(baseSha, options.base);
    this.defaultBranch = options.defaultBranch ?? 'main';
    this.branches.set(this.defaultBranch, baseSha);
    for (const [sha, files] of Object.entries(options.commits ?? {})) this.addCommit(sha, files);
    for (const pull of options.pulls ?? []) this.addPull(pull);
    for (const comment of options.comments ?? []) this.comments.push({ ...comment, reactions: [] });
    this.issues = options.issues ?? [];
    this.collaborators = options.collaborators ?? {};
    this.teams = options.teams ?? {};
    this.faults = options.faults ?? {};
    this.scope = this.intercept();
  }

  addCommit(sha: string, files: Files): void {
    const encoded = encode(files);
    this.commits.set(sha, encoded);
    for (const content of encoded.values()) this.blobs.set(blobSha(content), content);
  }

  addPull(pull: Partial<PullState>): PullState {
    const state: PullState = {
      number: 7,
      headSha: 'a'.repeat(40),
      headRepo: `${OWNER}/${REPO}`,
      headRef: 'change',
      baseRef: this.defaultBranch,
      author: 'author',
      state: 'open',
      merged: false,
      mergeCommitSha: null,
      mergeable: true,
      mergeableAnswers: [],
      changed: [],
      reviews: [],
      forkedFrom: this.branches.get(this.defaultBranch)!,
      commitAuthors: [pull.author ?? 'author'],
      ...pull,
    };
    this.pulls.push(state);
    return state;
  }

  pull(number: number): PullState {
    const pull = this.pulls.find((p) => p.number === number);
    if (!pull) throw new Error(`no pull request #${number} in the world`);
    return pull;
  }

  review(number: number, user: string, state: ReviewState['state'], commitId?: string): void {
    const pull = this.pull(number);
    pull.reviews.push({ id: this.nextId++, user, state, commit_id: commitId ?? pull.headSha });
  }

  /** A person's comment, made before its delivery is sent. */
  comment(issueNumber: number, user: string, body: string, type = 'User'): Comment {
    const comment: Comment = { id: this.nextId++, issue_number: issueNumber, body, user: { login: user, type }, reactions: [] };
    this.comments.push(comment);
    return comment;
  }

  /** Merges the pull request: the default branch moves to the merge commit (files given, or the head's). */
  merge(number: number, mergeSha: string, files?: Files): void {
    const pull = this.pull(number);
    this.addCommit(mergeSha, files ?? Object.fromEntries(this.commits.get(pull.headSha) ?? []));
    Object.assign(pull, { state: 'closed', merged: true, mergeCommitSha: mergeSha });
    this.branches.set(this.defaultBranch, mergeSha);
  }

  botComments(issueNumber?: number): Comment[] {
    return this.comments.filter((c) => c.user.login === BOT_LOGIN && (issueNumber === undefined || c.issue_number === issueNumber));
  }

  private record(method: string, path: string, body: unknown): void {
    this.requests.push({ method, path, body });
  }

  /** The next injected fault for a route that `applies` to this request, if any. */
  private fault(route: string, applies: (fault: Fault) => boolean = () => true): Fault | undefined {
    const faults = this.faults[route];
    const at = faults?.findIndex(applies) ?? -1;
    return at === -1 ? undefined : faults!.splice(at, 1)[0];
  }

  private intercept(): nock.Scope {
    const repoPath = `/repos/${OWNER}/${REPO}`;
    const id = () => this.nextId++;
    const scope = nock(API).persist();

    scope
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .reply(201, (uri, body) => (this.record('POST', uri, body), { token: 'installation-token', expires_at: '2099-01-01T00:00:00Z', permissions: {} }))
      .get('/app')
      .reply(200, (uri) => (this.record('GET', uri, undefined), { id: APP_ID, slug: APP_SLUG, name: 'fsm-gitops', owner: { login: OWNER } }));

    // Repository content: trees, blobs, GraphQL texts and config files.
    scope
      .get(new RegExp(`^${repoPath}/git/trees/([0-9a-f]{40})\\?recursive=true$`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const fault = this.fault('GET trees');
        if (fault) return [fault.status, { message: fault.message ?? 'failure injected by the test' }, fault.headers ?? {}];
        const sha = /trees\/([0-9a-f]{40})/.exec(uri)![1]!;
        const files = this.commits.get(sha);
        if (!files) return [404, { message: 'Not Found' }];
        const tree = [...files.entries()].map(([path, content]) => ({ path, mode: '100644', type: 'blob', sha: blobSha(content), size: content.byteLength }));
        return [200, { sha, truncated: false, tree }];
      })
      .get(new RegExp(`^${repoPath}/git/blobs/([0-9a-f]{40})$`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const content = this.blobs.get(uri.split('/').pop()!);
        return content ? [200, { sha: uri.split('/').pop(), encoding: 'base64', content: Buffer.from(content).toString('base64'), size: content.byteLength }] : [404, { message: 'Not Found' }];
      })
      .post('/graphql')
      .reply(200, (uri, body) => {
        this.record('POST', uri, body);
        return { data: { repository: this.graphql(body as { query: string; variables?: Record<string, unknown> }) } };
      });

    // Pull requests.
    scope
      .get(new RegExp(`^${repoPath}/pulls(\\?.*)?$`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const query = new URL(uri, API).searchParams;
        const state = query.get('state') ?? 'open';
        const listed = this.pulls.filter((p) => state === 'all' || p.state === state).reverse(); // newest first, as `sort=updated` mostly is
        return [200, listed.slice(0, Number(query.get('per_page') ?? '30')).map((p) => this.pullJson(p))];
      })
      .get(new RegExp(`^${repoPath}/pulls/(\\d+)/files`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const pull = this.pull(Number(/pulls\/(\d+)/.exec(uri)![1]));
        const page = Number(new URL(uri, API).searchParams.get('page') ?? '1');
        const perPage = Number(new URL(uri, API).searchParams.get('per_page') ?? '30');
        const items = pull.changed.slice((page - 1) * perPage, page * perPage).map((filename) => ({ filename, status: 'modified', sha: '0'.repeat(40) }));
        const last = Math.max(1, Math.ceil(pull.changed.length / perPage));
        const headers: Record<string, string> = {};
        if (page < last) headers['link'] = `<${API}${repoPath}/pulls/${pull.number}/files?per_page=${perPage}&page=${page + 1}>; rel="next", <${API}${repoPath}/pulls/${pull.number}/files?per_page=${perPage}&page=${last}>; rel="last"`;
        return [200, items, headers];
      })
      .get(new RegExp(`^${repoPath}/pulls/(\\d+)/reviews`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const pull = this.pull(Number(/pulls\/(\d+)/.exec(uri)![1]));
        return [200, pull.reviews.map((r) => ({ id: r.id, user: { login: r.user, type: r.userType ?? 'User' }, state: r.state, commit_id: r.commit_id, author_association: 'OWNER' }))];
      })
      .get(new RegExp(`^${repoPath}/pulls/(\\d+)/commits`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const pull = this.pull(Number(/pulls\/(\d+)/.exec(uri)![1]));
        return [200, pull.commitAuthors.map((login, i) => ({ sha: `${i}`.padStart(40, '0'), author: { login }, committer: { login: 'web-flow' }, commit: { message: 'change' } }))];
      })
      .get(new RegExp(`^${repoPath}/pulls/(\\d+)$`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const pull = this.pulls.find((p) => p.number === Number(uri.split('/').pop()));
        if (!pull) return [404, { message: 'Not Found' }];
        return [200, this.pullJson(pull)];
      })
      .get(new RegExp(`^${repoPath}/commits/([0-9a-f]{40})/pulls`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const sha = /commits\/([0-9a-f]{40})/.exec(uri)![1];
        return [200, this.pulls.filter((p) => p.headSha === sha).map((p) => this.pullJson(p))];
      })
      .get(new RegExp(`^${repoPath}/compare/([0-9a-f]{40})\\.\\.\\.([\\w.-]+)$`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        // A...B: what B (a commit, or a branch's) changed since the common ancestor of A and B. A pull request's
        // head has the commit it branched from (`forkedFrom`) as that ancestor; any other commit is its own.
        const [, from, named] = /compare\/([0-9a-f]{40})\.\.\.([\w.-]+)$/.exec(uri)!;
        const to = this.branches.get(named!) ?? named;
        const mergeBase = this.pulls.find((p) => p.headSha === from)?.forkedFrom ?? from!;
        const a = this.commits.get(mergeBase);
        const b = this.commits.get(to!);
        if (!a || !b) return [404, { message: 'Not Found' }];
        const files = [...new Set([...a.keys(), ...b.keys()])].filter((p) => this.changedBetween(mergeBase, to!, p)).map((filename) => ({ filename, status: 'modified' }));
        return [200, { status: files.length === 0 ? 'identical' : 'ahead', merge_base_commit: { sha: mergeBase }, files, ahead_by: files.length, behind_by: 0 }];
      });

    // Who may do what.
    scope
      .get(new RegExp(`^${repoPath}/collaborators/([^/]+)/permission$`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const login = decodeURIComponent(uri.split('/').at(-2)!);
        const role = this.collaborators[login];
        if (!role) return [404, { message: 'Not Found' }];
        const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
        return [200, { permission, role_name: role, user: { login } }];
      })
      .get(/^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/)
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const fault = this.fault('GET team-memberships');
        if (fault) return [fault.status, { message: 'Resource not accessible by integration' }];
        const [, org, team, login] = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(uri)!;
        const members = this.teams[`${org}/${team}`] ?? [];
        return members.includes(decodeURIComponent(login!)) ? [200, { state: 'active', role: 'member' }] : [404, { message: 'Not Found' }];
      });

    // Check runs.
    scope
      .post(`${repoPath}/check-runs`)
      .reply((uri, body) => {
        this.record('POST', uri, body);
        const input = body as CheckRun;
        if (![...this.commits.keys(), ...this.pulls.map((p) => p.headSha)].includes(input.head_sha)) return [422, { message: 'No commit found for SHA' }];
        const refused = checkRunRefusal(body);
        if (refused) return [422, { message: refused }];
        const run: CheckRun = { ...input, id: id(), app: { id: APP_ID, slug: APP_SLUG }, annotations: [...(input.output?.annotations ?? [])] };
        const fault = this.fault('POST check-runs');
        if (fault && !fault.carriedOut) return [fault.status, { message: fault.message ?? 'failure injected by the test' }, fault.headers ?? {}];
        this.checkRuns.push(run);
        if (fault) return [fault.status, { message: fault.message ?? 'failure injected by the test' }, fault.headers ?? {}];
        return [201, run];
      })
      .patch(new RegExp(`^${repoPath}/check-runs/(\\d+)$`))
      .reply((uri, body) => {
        this.record('PATCH', uri, body);
        const run = this.checkRuns.find((r) => r.id === Number(uri.split('/').pop()));
        if (!run) return [404, { message: 'Not Found' }];
        const refused = checkRunRefusal(body);
        if (refused) return [422, { message: refused }];
        const fault = this.fault('PATCH check-runs');
        if (fault) return [fault.status, { message: fault.message ?? 'failure injected by the test' }, fault.headers ?? {}];
        const update = body as Partial<CheckRun>;
        Object.assign(run, { ...update, annotations: [...run.annotations, ...(update.output?.annotations ?? [])] });
        return [200, run];
      })
      .get(new RegExp(`^${repoPath}/commits/([0-9a-f]{40})/check-runs`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const url = new URL(uri, API);
        const sha = /commits\/([0-9a-f]{40})/.exec(uri)![1];
        const name = url.searchParams.get('check_name');
        const appId = url.searchParams.get('app_id');
        let runs = this.checkRuns.filter((r) => r.head_sha === sha && (!name || r.name === name) && (!appId || String(r.app.id) === appId));
        if (url.searchParams.get('filter') !== 'all') runs = runs.filter((r) => runs.findLast((o) => o.name === r.name) === r);
        return [200, { total_count: runs.length, check_runs: [...runs].reverse() }];
      });

    // Comments and reactions.
    scope
      .get(new RegExp(`^${repoPath}/issues/(\\d+)/comments`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const number = Number(/issues\/(\d+)/.exec(uri)![1]);
        return [200, this.comments.filter((c) => c.issue_number === number)];
      })
      .post(new RegExp(`^${repoPath}/issues/(\\d+)/comments$`))
      .reply((uri, body) => {
        this.record('POST', uri, body);
        const number = Number(/issues\/(\d+)/.exec(uri)![1]);
        const issue = this.issues.find((i) => i.number === number);
        const text = (body as { body: string }).body;
        const refused = issueRefusal(body);
        if (refused) return [422, { message: refused }];
        if (issue) {
          issue.comments.push(text);
          return [201, { id: id() }];
        }
        const fault = this.fault('POST comments');
        const comment: Comment = { id: id(), issue_number: number, body: text, user: { login: BOT_LOGIN, type: 'Bot' }, reactions: [] };
        if (fault) {
          if (fault.carriedOut) this.comments.push(comment);
          return [fault.status, { message: fault.message ?? 'failure injected by the test' }, fault.headers ?? {}];
        }
        this.comments.push(comment);
        return [201, comment];
      })
      .get(new RegExp(`^${repoPath}/issues/comments/(\\d+)$`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const comment = this.comments.find((c) => c.id === Number(uri.split('/').pop()));
        return comment ? [200, comment] : [404, { message: 'Not Found' }];
      })
      .patch(new RegExp(`^${repoPath}/issues/comments/(\\d+)$`))
      .reply((uri, body) => {
        this.record('PATCH', uri, body);
        const comment = this.comments.find((c) => c.id === Number(uri.split('/').pop()));
        if (!comment) return [404, { message: 'Not Found' }];
        const refused = issueRefusal(body);
        if (refused) return [422, { message: refused }];
        const fault = this.fault('PATCH comments');
        if (fault) return [fault.status, { message: fault.message ?? 'failure injected by the test' }, fault.headers ?? {}];
        comment.body = (body as { body: string }).body;
        return [200, comment];
      })
      .post(new RegExp(`^${repoPath}/issues/comments/(\\d+)/reactions$`))
      .reply((uri, body) => {
        this.record('POST', uri, body);
        const comment = this.comments.find((c) => c.id === Number(uri.split('/').at(-2)));
        if (!comment) return [404, { message: 'Not Found' }];
        const content = (body as { content: string }).content;
        const existing = comment.reactions.find((r) => r.content === content && r.user === BOT_LOGIN);
        if (!existing) comment.reactions.push({ content, user: BOT_LOGIN });
        return [existing ? 200 : 201, { id: id(), content, user: { login: BOT_LOGIN, type: 'Bot' } }];
      });

    // Deployments.
    scope
      .post(`${repoPath}/deployments`)
      .reply((uri, body) => {
        this.record('POST', uri, body);
        const input = body as { ref: string; environment: string; task?: string; payload?: Record<string, unknown>; description?: string; auto_merge?: boolean; required_contexts?: string[]; production_environment?: boolean };
        const fault = this.fault('POST deployments');
        const sha = /^[0-9a-f]{40}$/.test(input.ref) ? input.ref : this.branches.get(input.ref);
        const deployment: Deployment = {
          id: id(),
          sha: sha ?? input.ref,
          ref: input.ref,
          environment: input.environment,
          task: input.task ?? 'deploy',
          payload: input.payload ?? {},
          description: input.description ?? null,
          auto_merge: input.auto_merge,
          required_contexts: input.required_contexts,
          production_environment: input.production_environment,
          statuses: [],
        };
        if (fault && !fault.carriedOut) return [fault.status, { message: fault.message ?? 'failure injected by the test' }, fault.headers ?? {}];
        this.deployments.push(deployment);
        if (fault) return [fault.status, { message: fault.message ?? 'failure injected by the test' }, fault.headers ?? {}];
        return [201, this.deploymentJson(deployment)];
      })
      .get(new RegExp(`^${repoPath}/deployments(\\?.*)?$`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const q = new URL(uri, API).searchParams;
        const found = this.deployments.filter((d) => (!q.get('environment') || d.environment === q.get('environment')) && (!q.get('sha') || d.sha === q.get('sha')) && (!q.get('task') || d.task === q.get('task')));
        return [200, [...found].reverse().map((d) => this.deploymentJson(d))];
      })
      .get(new RegExp(`^${repoPath}/deployments/(\\d+)$`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const deployment = this.deployments.find((d) => d.id === Number(uri.split('/').pop()));
        return deployment ? [200, this.deploymentJson(deployment)] : [404, { message: 'Not Found' }];
      })
      .post(new RegExp(`^${repoPath}/deployments/(\\d+)/statuses$`))
      .reply((uri, body) => {
        this.record('POST', uri, body);
        const deployment = this.deployments.find((d) => d.id === Number(uri.split('/').at(-2)));
        if (!deployment) return [404, { message: 'Not Found' }];
        const input = body as { state: string; description?: string; log_url?: string };
        if ((input.description?.length ?? 0) > 140) return [422, { message: 'description is too long (maximum is 140 characters)' }];
        const status = { id: id(), ...input };
        const fault = this.fault('POST deployment-statuses', (f) => f.state === undefined || f.state === input.state);
        if (fault && !fault.carriedOut) return [fault.status, { message: fault.message ?? 'failure injected by the test' }, fault.headers ?? {}];
        deployment.statuses.push(status);
        if (fault) return [fault.status, { message: fault.message ?? 'failure injected by the test' }, fault.headers ?? {}];
        return [201, status];
      })
      .get(new RegExp(`^${repoPath}/deployments/(\\d+)/statuses`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const deployment = this.deployments.find((d) => d.id === Number(uri.split('/').at(-2)?.split('?')[0]));
        return deployment ? [200, [...deployment.statuses].reverse()] : [404, { message: 'Not Found' }];
      });

    // The repository, its default branch and issues (drift and failed-deploy issues).
    scope
      .get('/app/installations')
      .query(true)
      .reply(200, (uri) => (this.record('GET', uri, undefined), [{ id: INSTALLATION_ID, account: { login: OWNER } }]))
      .get('/installation/repositories')
      .query(true)
      .reply(200, (uri) => (this.record('GET', uri, undefined), { total_count: 1, repositories: [{ id: REPO_ID, name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } }] }))
      .get(repoPath)
      .reply(200, (uri) => (this.record('GET', uri, undefined), { id: REPO_ID, name: REPO, full_name: `${OWNER}/${REPO}`, default_branch: this.defaultBranch }))
      .get(new RegExp(`^${repoPath}/branches/([^/]+)$`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const name = decodeURIComponent(uri.split('/').pop()!);
        const sha = this.branches.get(name);
        return sha ? [200, { name, commit: { sha } }] : [404, { message: 'Branch not found' }];
      })
      .get(new RegExp(`^${repoPath}/issues(\\?.*)?$`))
      .reply((uri) => {
        this.record('GET', uri, undefined);
        const query = new URL(uri, API).searchParams;
        const label = query.get('labels');
        const creator = query.get('creator');
        return [200, this.issues.filter((i) => i.state === 'open' && (!label || i.labels.some((l) => l.name === label)) && (!creator || i.user?.login === creator))];
      })
      .post(new RegExp(`^${repoPath}/issues/(\\d+)/labels$`))
      .reply((uri, body) => {
        this.record('POST', uri, body);
        const issue = this.issues.find((i) => i.number === Number(/issues\/(\d+)/.exec(uri)![1]));
        if (!issue) return [404, { message: 'Not Found' }];
        for (const name of (body as { labels: string[] }).labels) if (!issue.labels.some((l) => l.name === name)) issue.labels.push({ name });
        return [200, issue.labels];
      })
      .post(`${repoPath}/issues`)
      .reply((uri, body) => {
        this.record('POST', uri, body);
        const refused = issueRefusal(body);
        if (refused) return [422, { message: refused }];
        const input = body as { title: string; body: string; labels: string[] };
        const issue: Issue = { number: 100 + this.issues.length, title: input.title, body: input.body, user: { login: BOT_LOGIN, type: 'Bot' }, state: 'open', labels: input.labels.map((name) => ({ name })), comments: [] };
        this.issues.push(issue);
        return [201, issue];
      })
      .patch(new RegExp(`^${repoPath}/issues/(\\d+)$`))
      .reply((uri, body) => {
        this.record('PATCH', uri, body);
        const issue = this.issues.find((i) => i.number === Number(uri.split('/').pop()));
        if (!issue) return [404, { message: 'Not Found' }];
        const refused = issueRefusal(body);
        if (refused) return [422, { message: refused }];
        Object.assign(issue, body);
        return [200, issue];
      });

    return scope;
  }

  /** True when `path` differs between the two commits. */
  private changedBetween(from: string, to: string, path: string): boolean {
    const a = this.commits.get(from)!.get(path);
    const b = this.commits.get(to)!.get(path);
    return a === undefined || b === undefined ? a !== b : blobSha(a) !== blobSha(b);
  }

  private pullJson(pull: PullState): Record<string, unknown> {
    const mergeable = pull.mergeableAnswers.length > 0 ? pull.mergeableAnswers.shift()! : pull.mergeable;
    return {
      number: pull.number,
      state: pull.state,
      merged: pull.merged,
      merge_commit_sha: pull.mergeCommitSha,
      mergeable,
      user: { login: pull.author, type: 'User' },
      head: { sha: pull.headSha, ref: pull.headRef, repo: { full_name: pull.headRepo } },
      base: { ref: pull.baseRef, sha: this.branches.get(pull.baseRef), repo: { full_name: `${OWNER}/${REPO}` } },
    };
  }

  private deploymentJson(d: Deployment): Record<string, unknown> {
    return { id: d.id, sha: d.sha, ref: d.ref, environment: d.environment, task: d.task, payload: d.payload, description: d.description, creator: { login: d.creator ?? BOT_LOGIN, type: d.creator ? 'User' : 'Bot' }, created_at: new Date().toISOString() };
  }

  /** The two GraphQL queries the app sends: blob texts by oid, and config files of commits. */
  private graphql(body: { query: string; variables?: Record<string, unknown> }): Record<string, unknown> {
    const repository: Record<string, unknown> = {};
    const blobNode = (content: Uint8Array | undefined) => {
      if (!content) return null;
      const binary = content.includes(0);
      return { text: binary ? null : new TextDecoder('utf-8', { fatal: false }).decode(content), isBinary: binary, isTruncated: content.byteLength > 512 * 1024, byteSize: content.byteLength };
    };
    for (const match of body.query.matchAll(/(b\d+): object\(oid: "([0-9a-f]{40})"\)/g)) repository[match[1]!] = blobNode(this.blobs.get(match[2]!));
    const commitNode = (sha: string | undefined) => {
      const files = sha ? this.commits.get(sha) : undefined;
      if (!sha || !files) return null;
      const node: Record<string, unknown> = { oid: sha };
      for (const match of body.query.matchAll(/(\w+): file\(path: "([^"]+)"\)/g)) {
        const content = files.get(match[2]!);
        node[match[1]!] = content ? { object: blobNode(content) } : null;
      }
      return node;
    };
    if (/defaultBranchRef/.test(body.query)) repository['defaultBranchRef'] = { name: this.defaultBranch, target: commitNode(this.branches.get(this.defaultBranch)) };
    for (const match of body.query.matchAll(/(c\d+): object\(oid: \$(\w+)\)/g)) repository[match[1]!] = commitNode(String(body.variables?.[match[2]!] ?? ''));
    return repository;
  }
}
