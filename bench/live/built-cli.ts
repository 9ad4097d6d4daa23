/**
 * The built CLI (dist/cli/main.js, what `fsm-gitops` runs once installed), rebuilt with `npm run build`'s
 * tsc when it is missing or older than a file under src/, so the bench measures the sources it sits beside.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

export function ensureBuiltCli(log: (line: string) => void): string {
  const built = existsSync(CLI) ? statSync(CLI).mtimeMs : 0;
  const src = join(ROOT, 'src');
  const newest = Math.max(...readdirSync(src, { recursive: true, encoding: 'utf8' }).map((file) => statSync(join(src, file)).mtimeMs));
  if (built >= newest) return CLI;
  log(`building the CLI (dist/ is ${built ? 'older than src/' : 'missing'}): tsc -p tsconfig.build.json`);
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit', cwd: ROOT });
  return CLI;
}
