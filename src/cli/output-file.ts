import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../workflow/usage-error.ts';

/**
 * Writes `text` to `path` all or nothing: into a new temporary file beside it (same folder, so the rename
 * stays on one file system), flushed to disk, then renamed over `path` (rename(2) replaces atomically on
 * POSIX). On any failure the temporary file is removed and `path` is as it was. Errors are UsageErrors
 * naming the file (exit 3).
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const file = await open(temporary, 'wx', 0o644);
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new UsageError(`cannot write --output ${path}: ${why(error as NodeJS.ErrnoException, dirname(path))}`);
  }
}

/** The reason in the user's terms: the temporary file's name is ours, not theirs. */
function why(error: NodeJS.ErrnoException, folder: string): string {
  switch (error.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return `no such folder ${folder}`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to write in ${folder}`;
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return error.code ?? error.message;
  }
}
