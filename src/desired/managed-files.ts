import pLimit from 'p-limit';
import type { Finding } from '../core/finding.ts';
import { findingInFile } from '../core/findings.ts';
import type { RepoFiles } from './repo-files.ts';
import { fileTooLarge, formatBytes, MAX_FILE_BYTES } from './text-file.ts';

/**
 * What fsm-gitops reads of an environment's folder, in the CLI and the app alike (docs/configuration.md,
 * "Reading the repository"): every `*.yaml` / `*.yml` file (manifests, and values.yaml at the root), and
 * `<name>.js` beside a Plugin manifest named `<name>` with no spec.pipyscript. Nothing else is read or,
 * in the app, downloaded: a README, an image or a binary costs nothing whatever its size.
 */
export function isManifestFile(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/** `<folder of the manifest>/<plugin name>.js`: where a Plugin without spec.pipyscript keeps its PipyJS. */
export function pluginScriptFile(manifestFile: string, pluginName: string): string {
  const slash = manifestFile.lastIndexOf('/');
  return `${slash === -1 ? '' : manifestFile.slice(0, slash + 1)}${pluginName}.js`;
}

/** At most this many bytes are read for one environment (manifests, values and scripts together). */
export const MAX_ENVIRONMENT_BYTES = 32 * 1024 * 1024;
/** Size questions in flight at once. */
const SIZE_CONCURRENCY = 16;

/** At most this many files are read for one environment. */
export const MAX_ENVIRONMENT_FILES = 2_000;

/** What is left of an environment's allowance; admitFiles() spends it. */
export interface ReadAllowance {
  files: number;
  bytes: number;
}

export function environmentAllowance(): ReadAllowance {
  return { files: MAX_ENVIRONMENT_FILES, bytes: MAX_ENVIRONMENT_BYTES };
}

/**
 * Of the files the loader is about to read, those it may read, judged by size before a byte is read (a Git
 * tree and the file system know sizes): a file over MAX_FILE_BYTES gets a file-too-large finding and is
 * left out; when the rest pass what is left of the environment's allowance, none of them is read and one
 * environment-too-large finding names the largest. The admitted files are then prefetched in one go where
 * the source batches its reads (the app: one GraphQL query per hundred files).
 */
export async function admitFiles(repo: RepoFiles, files: readonly string[], allowance: ReadAllowance, findings: Finding[]): Promise<string[]> {
  const sized: { file: string; size: number }[] = [];
  // Asked all at once (a folder answers each from the file system), judged in order.
  const limit = pLimit(SIZE_CONCURRENCY);
  const sizes = await Promise.all(files.map((file) => limit(async () => repo.size?.(file))));
  for (const [index, file] of files.entries()) {
    // A source that cannot tell sizes (a test's MemoryRepo) is held to MAX_FILE_BYTES after reading.
    const size = sizes[index] ?? 0;
    if (size > MAX_FILE_BYTES) findings.push(findingInFile(file, 1, 1, 'error', 'file-too-large', fileTooLarge(size).message));
    else sized.push({ file, size });
  }
  const bytes = sized.reduce((sum, entry) => sum + entry.size, 0);
  if (sized.length > allowance.files || bytes > allowance.bytes) {
    const largest = [...sized].sort((a, b) => b.size - a.size).slice(0, 3);
    findings.push(
      findingInFile(
        largest[0]!.file,
        1,
        1,
        'error',
        'environment-too-large',
        `${sized.length} files of ${formatBytes(bytes)} together are more than fsm-gitops reads for one environment (${MAX_ENVIRONMENT_FILES} files, ${formatBytes(MAX_ENVIRONMENT_BYTES)}), so none of them is read; largest: ${largest.map((e) => `${e.file} (${formatBytes(e.size)})`).join(', ')}. Move files that are not FSM manifests out of the environment folder, or split it into several environments`,
      ),
    );
    allowance.files = 0;
    allowance.bytes = 0;
    return [];
  }
  allowance.files -= sized.length;
  allowance.bytes -= bytes;
  const admitted = sized.map((entry) => entry.file);
  await repo.prefetch?.(admitted);
  return admitted;
}
