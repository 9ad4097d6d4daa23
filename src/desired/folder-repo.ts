import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { normalizeRepoPath, type RepoFiles } from './repo-files.ts';

/**
 * A repository checked out in a folder. Symbolic links are not followed: a link could point
 * outside the repository, and what the GitHub API serves for a link is not the target's content either.
 */
export class FolderRepo implements RepoFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async list(dir: string): Promise<string[]> {
    const start = normalizeRepoPath(dir);
    const out: string[] = [];
    const walk = async (relative: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(join(this.root, relative), { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      for (const entry of entries) {
        if (entry.name === '.git' || entry.name === 'node_modules') continue;
        const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile()) out.push(path);
      }
    };
    await walk(start);
    return out.sort();
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    const full = resolve(this.root, normalizeRepoPath(path));
    if (!full.startsWith(`${this.root}${sep}`)) return undefined;
    try {
      const stat = await lstat(full);
      if (!stat.isFile()) return undefined;
      return await readFile(full);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
