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
    throw new UsageError(`cannot write --output ${path}: ${(error as Error).message}`);
  }
}
