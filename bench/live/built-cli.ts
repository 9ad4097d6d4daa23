/**
 * The CLI as users run it: bin/fsm-gitops.js, which imports the bundle in dist/cli/ (scripts/build-cli.ts,
 * the last step of `npm run build`). The bundle is rebuilt when it is missing or older than a file under
 * src/ or the build script, so a bench measures the sources it sits beside.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, CLI_OUT_DIR } from '../../scripts/build-cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What the `fsm-gitops` command runs once installed. */
export const CLI = join(ROOT, 'bin', 'fsm-gitops.js');
const BUNDLE = join(ROOT, CLI_OUT_DIR, 'main.js');

/** Returns CLI's path after rebuilding the bundle if it is stale; `log` says when it rebuilds. */
export async function ensureBuiltCli(log: (line: string) => void): Promise<string> {
  const built = existsSync(BUNDLE) ? statSync(BUNDLE).mtimeMs : 0;
  const src = join(ROOT, 'src');
  const sources = [...readdirSync(src, { recursive: true, encoding: 'utf8' }).map((file) => join(src, file)), join(ROOT, 'scripts', 'build-cli.ts')];
  if (built >= Math.max(...sources.map((file) => statSync(file).mtimeMs))) return CLI;
  log(`building the CLI (${CLI_OUT_DIR} is ${built ? 'older than src/' : 'missing'}): scripts/build-cli.ts`);
  await buildCli();
  return CLI;
}
