import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { normalizeRepoPath, type RepoFiles } from './repo-files.ts';

/**
 * A repository checked out in a folder. Symbolic links are not followed, wherever they are: a linked file,
 * a linked folder, or a link on the way to one (an environment's parent, `.github`); a link could point
 * outside the repository, and the app (Git mode 120000) skips them too. links() names what was skipped.
 */
export class FolderRepo implements RepoFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async list(dir: string): Promise<string[]> {
    return (await this.scan(dir)).files;
  }

  async links(dir: string): Promise<string[]> {
    return (await this.scan(dir)).links;
  }

  /** Files and links below `dir`; when `dir` or a folder on the way to it is a link, nothing but that link. */
  private async scan(dir: string): Promise<{ files: string[]; links: string[] }> {
    const start = normalizeRepoPath(dir);
    const linked = await this.linkOnTheWay(start);
    if (linked !== undefined) return { files: [], links: [linked] };
    const out: string[] = [];
    const links: string[] = [];
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
        if (entry.isSymbolicLink()) links.push(path);
        else if (entry.isDirectory()) await walk(path);
        else if (entry.isFile()) out.push(path);
      }
    };
    await walk(start);
    return { files: out.sort(), links: links.sort() };
  }

  /** The first component of `relative` (itself included) that is a symbolic link, if any. */
  private async linkOnTheWay(relative: string): Promise<string | undefined> {
    const parts = relative === '' ? [] : relative.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const path = parts.slice(0, i).join('/');
      try {
        if ((await lstat(join(this.root, path))).isSymbolicLink()) return path;
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    }
    return undefined;
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    const full = await this.regularFile(path);
    return full === undefined ? undefined : readFile(full);
  }

  async size(path: string): Promise<number | undefined> {
    const full = await this.regularFile(path);
    return full === undefined ? undefined : (await lstat(full)).size;
  }

  /** The absolute path of a regular file inside the repository, reached without a link; else undefined. */
  private async regularFile(path: string): Promise<string | undefined> {
    const full = resolve(this.root, normalizeRepoPath(path));
    if (!full.startsWith(`${this.root}${sep}`)) return undefined;
    if ((await this.linkOnTheWay(normalizeRepoPath(path))) !== undefined) return undefined;
    try {
      return (await lstat(full)).isFile() ? full : undefined;
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
