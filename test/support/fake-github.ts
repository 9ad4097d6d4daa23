import { generateKeyPairSync } from 'node:crypto';
import { GitHubWorld, type Comment, type Files, type Issue } from './github-world.ts';

export { API, APP_ID, BOT_LOGIN, INSTALLATION_ID, OWNER, REPO, REPO_ID, blobSha } from './github-world.ts';
export type { CheckRun, Comment, Issue, RecordedRequest } from './github-world.ts';

export const { privateKey: PRIVATE_KEY } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

export interface FakeGitHubOptions {
  /** Open issues of the repository (drift issues). */
  issues?: Issue[];
  /** The repository at the pull request's head: path → content. */
  files: Files;
  /** The default branch (default: the same files as the head). */
  baseFiles?: Files;
  /** The default branch's name (default: main). */
  defaultBranch?: string;
  /** Paths the pull request changes. */
  changed: string[];
  headSha: string;
  prNumber: number;
  comments?: Omit<Comment, 'reactions' | 'issue_number'>[];
  /** Answer the n-th comment create with this status (after carrying it out, when `carriedOut`). */
  failCommentCreate?: { status: number; carriedOut: boolean; headers?: Record<string, string> }[];
}

/** One repository with one open pull request: the common case of the review tests. */
export function fakeGitHub(options: FakeGitHubOptions): GitHubWorld {
  return new GitHubWorld({
    base: options.baseFiles ?? options.files,
    ...(options.defaultBranch ? { defaultBranch: options.defaultBranch } : {}),
    commits: { [options.headSha]: options.files },
    pulls: [{ number: options.prNumber, headSha: options.headSha, changed: options.changed }],
    comments: (options.comments ?? []).map((c) => ({ ...c, issue_number: options.prNumber })),
    ...(options.issues ? { issues: options.issues } : {}),
    faults: { 'POST comments': (options.failCommentCreate ?? []).map((f) => ({ status: f.status, carriedOut: f.carriedOut, ...(f.headers ? { headers: f.headers } : {}) })) },
  });
}
