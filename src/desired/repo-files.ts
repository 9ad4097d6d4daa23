/**
 * Read access to a repository's files at one revision: a folder on disk (CLI) or a Git ref through
 * the GitHub API (the app). Paths are repository-relative with forward slashes.
 */
export interface RepoFiles {
  /** Where the files are, as a message names it (a folder's absolute path); absent where the caller names it. */
  readonly location?: string;
  /** Every file below `dir` (recursively), sorted. An absent directory lists nothing. */
  list(dir: string): Promise<string[]>;
  /** The file's bytes, or undefined when there is no such file. */
  read(path: string): Promise<Uint8Array | undefined>;
  /** The file's size in bytes without reading it, where the source knows it (a Git tree does). */
  size?(path: string): Promise<number | undefined>;
  /**
   * Symbolic links that list() and read() skip, at or below `dir` or on the way to it (a linked parent
   * folder), sorted. A link is never followed: it could point outside the repository.
   */
  links?(dir: string): Promise<string[]>;
  /**
   * A hint that these files are about to be read: a source that pays per request (the GitHub API) fetches
   * them in one go. Files it does not hold are ignored.
   */
  prefetch?(files: readonly string[]): Promise<void>;
}

/** `clusters/staging/` and `clusters/staging` are the same folder; no leading `./` or `/`. */
export function normalizeRepoPath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.?\/+/, '').replace(/\/+$/, '');
}

/** True when `path` is `dir` itself or inside it. */
export function isUnder(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}
