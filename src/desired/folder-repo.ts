import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import pLimit from 'p-limit';
import { normalizeRepoPath, type RepoFiles } from './repo-files.ts';

/** File system calls in flight at once while prefetching: enough to hide each call's round trip to libuv's threads. */
const PREFETCH_CONCURRENCY = 16;

/**
 * A repository checked out in a folder. Symbolic links are not followed, wherever they are: a linked file,
 * a linked folder, or a link on the way to one (an environment's parent, `.github`); a link could point
 * outside the repository, and the app (Git mode 120000) skips them too. links() names what was skipped.
 *
 * One instance serves one run: the folders on the way to a file are looked at once (a hundred files in a
 * folder do not lstat it a hundred times), and prefetch() reads the files about to be loaded concurrently.
 */
export class FolderRepo implements RepoFiles {
  readonly root: string;
  /** Per folder (repository-relative): whether it is a link, or missing (undefined), as lstat said the first time. */
  private readonly folders = new Map<string, Promise<'link' | 'folder' | undefined>>();
  /** Files read by prefetch(), each handed out once by read(). */
  private readonly prefetched = new Map<string, Promise<Uint8Array | undefined>>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  get location(): string {
    return this.root;
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

  /** The first component of `relative` (itself included) that is a symbolic link, if any; `folder`: all of them are folders on the way to a file. */
  private async linkOnTheWay(relative: string, folder = false): Promise<string | undefined> {
    const parts = relative === '' ? [] : relative.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const path = parts.slice(0, i).join('/');
      const kind = await this.kindOf(path, folder || i < parts.length);
      if (kind === 'link') return path;
      if (kind === undefined) return undefined;
    }
    return undefined;
  }

  /** lstat's verdict on `path`; remembered for a folder on the way (`onTheWay`), asked afresh for the last component. */
  private kindOf(path: string, onTheWay: boolean): Promise<'link' | 'folder' | undefined> {
    const remembered = onTheWay ? this.folders.get(path) : undefined;
    if (remembered) return remembered;
    const asked = lstat(join(this.root, path)).then(
      (stats) => (stats.isSymbolicLink() ? ('link' as const) : ('folder' as const)),
      (error: unknown) => {
        if (isMissing(error)) return undefined;
        throw error;
      },
    );
    if (onTheWay) this.folders.set(path, asked);
    return asked;
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    const key = normalizeRepoPath(path);
    const prefetched = this.prefetched.get(key);
    if (prefetched) {
      this.prefetched.delete(key);
      return prefetched;
    }
    const file = await this.regularFile(path);
    return file === undefined ? undefined : readFile(file.full);
  }

  async size(path: string): Promise<number | undefined> {
    return (await this.regularFile(path))?.size;
  }

  /**
   * Reads `files` now, PREFETCH_CONCURRENCY at a time, for read() to hand out: a loader that reads file
   * after file then waits for no file system round trip. A failure is read()'s, when that file is read.
   */
  async prefetch(files: readonly string[]): Promise<void> {
    const limit = pLimit(PREFETCH_CONCURRENCY);
    for (const path of files) {
      const key = normalizeRepoPath(path);
      if (this.prefetched.has(key)) continue;
      const reading = limit(async () => {
        const file = await this.regularFile(path);
        return file === undefined ? undefined : readFile(file.full);
      });
      reading.catch(() => {}); // raised by read(), if ever read
      this.prefetched.set(key, reading);
    }
  }

  /** A regular file inside the repository, reached without a link: its absolute path and size; else undefined. */
  private async regularFile(path: string): Promise<{ full: string; size: number } | undefined> {
    const relative = normalizeRepoPath(path);
    const full = resolve(this.root, relative);
    if (!full.startsWith(`${this.root}${sep}`)) return undefined;
    const folder = relative.includes('/') ? relative.slice(0, relative.lastIndexOf('/')) : '';
    if ((await this.linkOnTheWay(folder, true)) !== undefined) return undefined;
    try {
      const stats = await lstat(full); // a link is no file: lstat does not follow it
      return stats.isFile() ? { full, size: stats.size } : undefined;
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
