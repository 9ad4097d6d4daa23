import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** What an apply records as its commit when --commit is not given and git cannot tell. */
export const UNKNOWN_COMMIT = 'unknown';

/** How long git may take to name the commit, and to tell whether the working tree has changes (a large tree), in ms. */
const REV_PARSE_TIMEOUT_MS = 10_000;
const STATUS_TIMEOUT_MS = 120_000;

/**
 * The checked-out commit of `folder`: `{ sha }` (40 hex digits, `-dirty` appended when the working tree has
 * changes: `git status --porcelain`), or `{ why }` git cannot tell, as what follows the folder's name in a warning:
 * `is not a git checkout`, `is a git checkout with no commit yet`, `cannot be read: git is not installed ...`, or
 * git's own first line (the CLI's stderr escapes what a terminal would act on: cli/run.ts). Never throws.
 */
export async function gitCommit(folder: string): Promise<{ sha: string } | { why: string }> {
  const run = promisify(execFile);
  try {
    const { stdout: head } = await run('git', ['-C', folder, 'rev-parse', '--verify', 'HEAD'], { timeout: REV_PARSE_TIMEOUT_MS });
    const { stdout: status } = await run('git', ['-C', folder, 'status', '--porcelain'], { timeout: STATUS_TIMEOUT_MS });
    return { sha: `${head.trim()}${status.trim() === '' ? '' : '-dirty'}` };
  } catch (error) {
    return { why: whyNoCommit(error as NodeJS.ErrnoException & { stderr?: string; killed?: boolean; cmd?: string }) };
  }
}

function whyNoCommit(error: NodeJS.ErrnoException & { stderr?: string; killed?: boolean; cmd?: string }): string {
  if (error.code === 'ENOENT') return 'cannot be read: git is not installed (not on PATH)';
  if (error.killed) return `cannot be read: git did not answer in time (${error.cmd?.includes(' status ') ? STATUS_TIMEOUT_MS / 1000 : REV_PARSE_TIMEOUT_MS / 1000} s)`;
  const stderr = String(error.stderr ?? '');
  if (/not a git repository/i.test(stderr)) return 'is not a git checkout';
  if (/needed a single revision|unknown revision|ambiguous argument 'HEAD'/i.test(stderr)) return 'is a git checkout with no commit yet';
  const line = stderr.split('\n').find((l) => l.trim() !== '') ?? error.message.split('\n')[0] ?? '';
  return `cannot be read by git (${line.trim().slice(0, 200)})`;
}
