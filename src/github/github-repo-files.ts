import { isUnder, normalizeRepoPath, type RepoFiles } from '../desired/repo-files.ts';
import { formatBytes, MAX_FILE_BYTES } from '../desired/text-file.ts';
import type { Octokit, RepoRef } from './octokit.ts';

interface TreeEntry {
  path: string;
  sha: string;
  size: number;
}

/** GraphQL returns blob text up to this size; anything larger, binary or truncated comes from the blob API. */
const GRAPHQL_TEXT_LIMIT = 1024 * 1024;
const BLOBS_PER_QUERY = 100;
/** A symbolic link's mode in a Git tree (https://docs.github.com/rest/git/trees). */
const SYMLINK_MODE = '120000';

/**
 * A repository at one commit, read through the GitHub API in as few requests as possible: one recursive
 * tree for the file list and sizes, one GraphQL query per hundred files for their text, and the blob API
 * only for files over 1 MB, binary or truncated. Only files asked for are downloaded (the loader asks for
 * managed files only, after checking their sizes in the tree), and never one over MAX_FILE_BYTES.
 */
export class GitHubRepoFiles implements RepoFiles {
  private tree: Map<string, TreeEntry> | undefined;
  /** Symbolic links (Git mode 120000): never read, as the CLI never follows them. */
  private symlinks: string[] = [];
  private readonly contents = new Map<string, Uint8Array>();

  constructor(
    private readonly octokit: Octokit,
    private readonly ref: RepoRef,
    private readonly commit: string,
  ) {}

  async list(dir: string): Promise<string[]> {
    const base = normalizeRepoPath(dir);
    const tree = await this.loadTree();
    return [...tree.keys()].filter((path) => isUnder(path, base) && path !== base).sort();
  }

  /** The file's bytes; a file over MAX_FILE_BYTES is an error (check size() first), never a download. */
  async read(path: string): Promise<Uint8Array | undefined> {
    const normalized = normalizeRepoPath(path);
    if (!this.contents.has(normalized)) await this.prefetch([normalized]);
    return this.contents.get(normalized);
  }

  async links(dir: string): Promise<string[]> {
    const base = normalizeRepoPath(dir);
    await this.loadTree();
    return this.symlinks.filter((path) => isUnder(path, base) || isUnder(base, path)).sort();
  }

  async size(path: string): Promise<number | undefined> {
    return (await this.loadTree()).get(normalizeRepoPath(path))?.size;
  }

  /**
   * Downloads the given files in one go, so later reads cost nothing: one GraphQL query per hundred, the
   * blob API for the rest. Paths not in the tree are ignored; a file over MAX_FILE_BYTES is an error,
   * before anything is downloaded.
   */
  async prefetch(paths: readonly string[]): Promise<void> {
    const tree = await this.loadTree();
    const wanted = [...new Set(paths.map(normalizeRepoPath))].flatMap((path) => {
      const entry = tree.get(path);
      return entry && !this.contents.has(path) ? [entry] : [];
    });
    const tooLarge = wanted.find((entry) => entry.size > MAX_FILE_BYTES);
    if (tooLarge) {
      throw new Error(`${tooLarge.path} is ${formatBytes(tooLarge.size)}, over the ${formatBytes(MAX_FILE_BYTES)} fsm-gitops reads of one file: not downloaded`);
    }
    const small = wanted.filter((entry) => entry.size <= GRAPHQL_TEXT_LIMIT);
    const large = wanted.filter((entry) => entry.size > GRAPHQL_TEXT_LIMIT);
    for (let i = 0; i < small.length; i += BLOBS_PER_QUERY) {
      large.push(...(await this.fetchTexts(small.slice(i, i + BLOBS_PER_QUERY))));
    }
    for (const entry of large) this.contents.set(entry.path, await this.fetchBlob(entry.sha));
  }

  private async loadTree(): Promise<Map<string, TreeEntry>> {
    if (this.tree) return this.tree;
    const { data } = await this.octokit.rest.git.getTree({ ...this.ref, tree_sha: this.commit, recursive: 'true' });
    if (data.truncated) {
      throw new Error(`the repository's file tree at ${this.commit.slice(0, 7)} is too large for the GitHub API to list in one response`);
    }
    this.symlinks = data.tree.filter((entry) => entry.type === 'blob' && entry.mode === SYMLINK_MODE && entry.path).map((entry) => entry.path!);
    this.tree = new Map(
      data.tree
        .filter((entry) => entry.type === 'blob' && entry.mode !== SYMLINK_MODE && entry.path && entry.sha)
        .map((entry) => [entry.path!, { path: entry.path!, sha: entry.sha!, size: entry.size ?? 0 }]),
    );
    return this.tree;
  }

  /** Text of up to a hundred blobs in one GraphQL query; returns the entries GraphQL could not give as text. */
  private async fetchTexts(entries: TreeEntry[]): Promise<TreeEntry[]> {
    if (entries.length === 0) return [];
    const fields = entries.map((entry, i) => `b${i}: object(oid: "${entry.sha}") { ... on Blob { text isBinary isTruncated } }`).join('\n');
    const query = `query($owner: String!, $repo: String!) { repository(owner: $owner, name: $repo) { ${fields} } }`;
    const result = await this.octokit.graphql<{ repository: Record<string, { text: string | null; isBinary: boolean; isTruncated: boolean } | null> }>(query, {
      owner: this.ref.owner,
      repo: this.ref.repo,
    });
    const fallback: TreeEntry[] = [];
    entries.forEach((entry, i) => {
      const blob = result.repository[`b${i}`];
      if (!blob || blob.isBinary || blob.isTruncated || blob.text === null) fallback.push(entry);
      else this.contents.set(entry.path, new TextEncoder().encode(blob.text));
    });
    return fallback;
  }

  /** Exact bytes, for files GraphQL does not return as text. */
  private async fetchBlob(sha: string): Promise<Uint8Array> {
    const { data } = await this.octokit.rest.git.getBlob({ ...this.ref, file_sha: sha });
    return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8');
  }
}
