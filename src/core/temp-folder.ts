import { rmSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `work` with a fresh folder (mode 0700) under `parent` (default: the OS temp folder) and removes the folder
 * afterwards, however `work` ends. The folder also goes if the process exits first (process.exit, a second
 * Ctrl-C: `exit` listeners run, synchronously): it may hold a kubeconfig or chart values, which must not stay
 * behind. (A SIGKILL runs nothing: the folder then stays, readable by its owner only.)
 */
export async function withTempFolder<T>(prefix: string, work: (folder: string) => Promise<T>, parent: string = tmpdir()): Promise<T> {
  const folder = await mkdtemp(join(parent, prefix));
  const removeAtExit = (): void => rmSync(folder, { recursive: true, force: true });
  process.once('exit', removeAtExit);
  try {
    await chmod(folder, 0o700);
    return await work(folder);
  } finally {
    process.removeListener('exit', removeAtExit);
    await rm(folder, { recursive: true, force: true });
  }
}
