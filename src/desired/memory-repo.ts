import { isUnder, normalizeRepoPath, type RepoFiles } from './repo-files.ts';

/** A repository held in memory: files fetched from the GitHub API, or written by a test. */
export class MemoryRepo implements RepoFiles {
  private readonly files = new Map<string, Uint8Array>();

  constructor(files: Record<string, string | Uint8Array> = {}) {
    for (const [path, content] of Object.entries(files)) this.set(path, content);
  }

  set(path: string, content: string | Uint8Array): void {
    this.files.set(normalizeRepoPath(path), typeof content === 'string' ? new TextEncoder().encode(content) : content);
  }

  async list(dir: string): Promise<string[]> {
    const base = normalizeRepoPath(dir);
    return [...this.files.keys()].filter((path) => isUnder(path, base) && path !== base).sort();
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    return this.files.get(normalizeRepoPath(path));
  }
}
