import { statSync } from 'node:fs';
import { FolderRepo } from '../desired/folder-repo.ts';
import { UsageError } from '../workflow/usage-error.ts';

/**
 * The repository folder `--repo` names, or a UsageError that says what is wrong with the path: missing, a file, or
 * not readable. Without this a wrong path read as a repository without `.github/fsm-gitops.yml`.
 */
export function repoFolder(path: string): FolderRepo {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`--repo ${path}: no such folder; pass the repository's root folder (the one holding .github/fsm-gitops.yml)`);
    throw new UsageError(`--repo ${path}: cannot read it (${code ?? (error as Error).message})`);
  }
  if (!isFolder) throw new UsageError(`--repo ${path} is a file, not a folder; pass the repository's root folder (the one holding .github/fsm-gitops.yml)`);
  return new FolderRepo(path);
}
