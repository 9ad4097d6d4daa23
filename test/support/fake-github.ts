import { createHash, generateKeyPairSync } from 'node:crypto';
import nock from 'nock';

export const API = 'https://api.github.com';
export const OWNER = 'acme';
export const REPO = 'mesh-config';
export const INSTALLATION_ID = 4242;

export const { privateKey: PRIVATE_KEY } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface Comment {
  id: number;
  body: string;
  user: { login: string; type: string };
}

export interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion?: string;
  output?: { title?: string; summary?: string; text?: string; annotations?: { path: string; start_line: number; annotation_level: string; title?: string; message: string }[] };
  annotations: { path: string; start_line: number; annotation_level: string; title?: string; message: string }[];
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: { name: string }[];
  comments: string[];
}

export interface FakeGitHubOptions {
  /** Open issues of the repository (drift issues). */
  issues?: Issue[];
  /** The repository at the pull request's head: path → content. */
  files: Record<string, string | Uint8Array>;
  /** Paths the pull request changes. */
  changed: string[];
  headSha: string;
  prNumber: number;
  comments?: Comment[];
  /** Answer the n-th comment create with this status (after carrying it out, when `carriedOut`). */
  failCommentCreate?: { status: number; carriedOut: boolean; headers?: Record<string, string> }[];
}

export const blobSha = (content: Uint8Array): string => createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');

/**
 * GitHub's API for one repository and pull request, as nock interceptors with state: what the app
 * creates (check runs, comments) can be read back, and every request is recorded.
 */
export function fakeGitHub(options: FakeGitHubOptions) {
  const requests: RecordedRequest[] = [];
  const comments: Comment[] = options.comments ?? [];
  const issues: Issue[] = options.issues ?? [];
  const checkRuns: CheckRun[] = [];
  const failures = [...(options.failCommentCreate ?? [])];
  const files = new Map(Object.entries(options.files).map(([path, content]) => [path, typeof content === 'string' ? new TextEncoder().encode(content) : content]));
  const bySha = new Map([...files.values()].map((content) => [blobSha(content), content]));
  const repoPath = `/repos/${OWNER}/${REPO}`;
  const record = (method: string, path: string, body: unknown) => requests.push({ method, path, body });

  const scope = nock(API)
    .persist()
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, (uri, body) => (record('POST', uri, body), { token: 'installation-token', expires_at: '2099-01-01T00:00:00Z', permissions: {} }))
    .get(new RegExp(`^${repoPath}/git/trees/${options.headSha}\\?recursive=true$`))
    .reply(200, (uri) => {
      record('GET', uri, undefined);
      const tree = [...files.entries()].map(([path, content]) => ({ path, mode: '100644', type: 'blob', sha: blobSha(content), size: content.byteLength }));
      return { sha: options.headSha, truncated: false, tree };
    })
    .get(new RegExp(`^${repoPath}/git/blobs/([0-9a-f]{40})$`))
    .reply((uri) => {
      record('GET', uri, undefined);
      const content = bySha.get(uri.split('/').pop()!);
      return content ? [200, { sha: uri.split('/').pop(), encoding: 'base64', content: Buffer.from(content).toString('base64'), size: content.byteLength }] : [404, { message: 'Not Found' }];
    })
    .post('/graphql')
    .reply(200, (uri, body) => {
      record('POST', uri, body);
      const query = (body as { query: string }).query;
      const repository: Record<string, unknown> = {};
      for (const match of query.matchAll(/(b\d+): object\(oid: "([0-9a-f]{40})"\)/g)) {
        const content = bySha.get(match[2]!);
        const text = content ? new TextDecoder('utf-8', { fatal: false }).decode(content) : null;
        const binary = !!content && content.includes(0);
        repository[match[1]!] = content ? { text: binary ? null : text, isBinary: binary, isTruncated: content.byteLength > 512 * 1024 } : null;
      }
      return { data: { repository } };
    })
    .get(new RegExp(`^${repoPath}/pulls/${options.prNumber}/files`))
    .reply((uri) => {
      record('GET', uri, undefined);
      const page = Number(new URL(uri, API).searchParams.get('page') ?? '1');
      const perPage = 100;
      const items = options.changed.slice((page - 1) * perPage, page * perPage).map((filename) => ({ filename, status: 'modified', sha: '0'.repeat(40) }));
      const last = Math.max(1, Math.ceil(options.changed.length / perPage));
      const headers: Record<string, string> = {};
      if (page < last) headers['link'] = `<${API}${repoPath}/pulls/${options.prNumber}/files?per_page=100&page=${page + 1}>; rel="next", <${API}${repoPath}/pulls/${options.prNumber}/files?per_page=100&page=${last}>; rel="last"`;
      return [200, items, headers];
    })
    .post(`${repoPath}/check-runs`)
    .reply(201, (uri, body) => {
      record('POST', uri, body);
      const input = body as CheckRun;
      const run: CheckRun = { ...input, id: 1000 + checkRuns.length, annotations: [...(input.output?.annotations ?? [])] };
      checkRuns.push(run);
      return run;
    })
    .patch(new RegExp(`^${repoPath}/check-runs/(\\d+)$`))
    .reply((uri, body) => {
      record('PATCH', uri, body);
      const run = checkRuns.find((r) => r.id === Number(uri.split('/').pop()));
      if (!run) return [404, { message: 'Not Found' }];
      const update = body as Partial<CheckRun>;
      Object.assign(run, { ...update, annotations: [...run.annotations, ...(update.output?.annotations ?? [])] });
      return [200, run];
    })
    .get(new RegExp(`^${repoPath}/issues/${options.prNumber}/comments`))
    .reply(200, (uri) => (record('GET', uri, undefined), comments))
    .post(`${repoPath}/issues/${options.prNumber}/comments`)
    .reply((uri, body) => {
      record('POST', uri, body);
      const failure = failures.shift();
      const comment: Comment = { id: 500 + comments.length, body: (body as { body: string }).body, user: { login: 'fsm-gitops[bot]', type: 'Bot' } };
      if (failure) {
        if (failure.carriedOut) comments.push(comment);
        return [failure.status, { message: 'failure injected by the test' }, failure.headers ?? {}];
      }
      comments.push(comment);
      return [201, comment];
    })
    .patch(new RegExp(`^${repoPath}/issues/comments/(\\d+)$`))
    .reply((uri, body) => {
      record('PATCH', uri, body);
      const comment = comments.find((c) => c.id === Number(uri.split('/').pop()));
      if (!comment) return [404, { message: 'Not Found' }];
      comment.body = (body as { body: string }).body;
      return [200, comment];
    });

  // The app's own endpoints and the repository's default branch and issues, for the drift schedule.
  scope
    .get('/app/installations')
    .query(true)
    .reply(200, (uri) => (record('GET', uri, undefined), [{ id: INSTALLATION_ID, account: { login: OWNER } }]))
    .get('/installation/repositories')
    .query(true)
    .reply(200, (uri) => (record('GET', uri, undefined), { total_count: 1, repositories: [{ name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } }] }))
    .get(repoPath)
    .reply(200, (uri) => (record('GET', uri, undefined), { name: REPO, full_name: `${OWNER}/${REPO}`, default_branch: 'main' }))
    .get(`${repoPath}/branches/main`)
    .reply(200, (uri) => (record('GET', uri, undefined), { name: 'main', commit: { sha: options.headSha } }))
    .get(`${repoPath}/issues`)
    .query(true)
    .reply(200, (uri) => {
      record('GET', uri, undefined);
      const label = new URL(uri, API).searchParams.get('labels');
      return issues.filter((i) => i.state === 'open' && (!label || i.labels.some((l) => l.name === label)));
    })
    .post(`${repoPath}/issues`)
    .reply(201, (uri, body) => {
      record('POST', uri, body);
      const input = body as { title: string; body: string; labels: string[] };
      const issue: Issue = { number: 100 + issues.length, title: input.title, body: input.body, state: 'open', labels: input.labels.map((name) => ({ name })), comments: [] };
      issues.push(issue);
      return issue;
    })
    .patch(new RegExp(`^${repoPath}/issues/(\\d+)$`))
    .reply((uri, body) => {
      record('PATCH', uri, body);
      const issue = issues.find((i) => i.number === Number(uri.split('/').pop()));
      if (!issue) return [404, { message: 'Not Found' }];
      Object.assign(issue, body);
      return [200, issue];
    })
    .post(new RegExp(`^${repoPath}/issues/(\\d+)/comments$`))
    .reply((uri, body) => {
      record('POST', uri, body);
      const issue = issues.find((i) => i.number === Number(uri.split('/').at(-2)));
      if (!issue) return [404, { message: 'Not Found' }];
      issue.comments.push((body as { body: string }).body);
      return [201, { id: 1 }];
    });

  return { scope, requests, comments, checkRuns, issues };
}
