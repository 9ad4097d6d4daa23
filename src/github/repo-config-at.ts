import { parseRepoConfig, RepoConfigError, type RepoConfig } from '../config/repo-config.ts';
import { REPO_CONFIG_PATHS } from '../config/repo-config-files.ts';
import type { Octokit, RepoRef } from './octokit.ts';

/** A commit's `.github/fsm-gitops.yml`: its config, or why it cannot be used, or neither when it has none. */
export interface ConfigAtCommit {
  sha: string;
  config: RepoConfig | undefined;
  error: RepoConfigError | undefined;
}

interface BlobNode {
  text: string | null;
  isBinary: boolean | null;
  isTruncated: boolean;
}
interface CommitNode {
  oid: string;
  [alias: string]: { object: BlobNode | null } | null | string;
}

const ALIASES = REPO_CONFIG_PATHS.map((path, i) => [`cfg${i}`, path] as const);
const FRAGMENT = `fragment fsmGitopsConfig on Commit { oid ${ALIASES.map(([alias, path]) => `${alias}: file(path: "${path}") { object { ... on Blob { text isBinary isTruncated } } }`).join(' ')} }`;

/**
 * The config of the default branch's head and of the given commits, in one GraphQL query
 * (Commit.file, https://docs.github.com/graphql/reference/objects#commit). The default branch's is the
 * policy every review, plan and command obeys; a pull request's own is only validated and compared.
 */
export async function readConfigs(octokit: Octokit, ref: RepoRef, commits: readonly string[]): Promise<{ defaultBranch: ConfigAtCommit & { branch: string }; commits: ConfigAtCommit[] }> {
  const variables = commits.map((_, i) => `$c${i}: GitObjectID!`).join(', ');
  const objects = commits.map((_, i) => `c${i}: object(oid: $c${i}) { ... on Commit { ...fsmGitopsConfig } }`).join(' ');
  const query = `query($owner: String!, $repo: String!${variables ? `, ${variables}` : ''}) { repository(owner: $owner, name: $repo) { defaultBranchRef { name target { ... on Commit { ...fsmGitopsConfig } } } ${objects} } } ${FRAGMENT}`;
  const result = await octokit.graphql<{ repository: Record<string, unknown> & { defaultBranchRef: { name: string; target: CommitNode | null } | null } }>(query, {
    owner: ref.owner,
    repo: ref.repo,
    ...Object.fromEntries(commits.map((sha, i) => [`c${i}`, sha])),
  });
  const branch = result.repository.defaultBranchRef;
  if (!branch?.target) throw new Error(`${ref.owner}/${ref.repo} has no default branch`);
  return {
    defaultBranch: { branch: branch.name, ...configOf(branch.target) },
    commits: commits.map((sha, i) => {
      const node = result.repository[`c${i}`] as CommitNode | null;
      if (!node) throw new Error(`commit ${sha.slice(0, 7)} is not in ${ref.owner}/${ref.repo}`);
      return configOf(node);
    }),
  };
}

function configOf(commit: CommitNode): ConfigAtCommit {
  for (const [alias, path] of ALIASES) {
    const entry = commit[alias];
    if (!entry || typeof entry === 'string' || !entry.object) continue;
    const blob = entry.object;
    if (blob.isBinary || blob.text === null) return { sha: commit.oid, config: undefined, error: new RepoConfigError(path, 1, 1, 'the file is not UTF-8 text') };
    if (blob.isTruncated) return { sha: commit.oid, config: undefined, error: new RepoConfigError(path, 1, 1, 'the file is too large (a config is at most 256 KiB)') };
    try {
      return { sha: commit.oid, config: parseRepoConfig(path, new TextEncoder().encode(blob.text)), error: undefined };
    } catch (error) {
      if (error instanceof RepoConfigError) return { sha: commit.oid, config: undefined, error };
      throw error;
    }
  }
  return { sha: commit.oid, config: undefined, error: undefined };
}
