/**
 * Builds one Lambda function's bundle as `osls package` does (serverless-esbuild), for the bench and the tests:
 * serverless.yml's `custom.esbuild` options without those serverless-esbuild keeps for itself, its `exclude` as
 * esbuild's `external`, the plugins from the file its `plugins` names (loaded as serverless-esbuild loads it:
 * `require()`, then called when it is a function), and the output named after the handler's file with
 * `outputFileExtension`. The zip, its node_modules and the source map's upload are serverless-esbuild's alone.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { load } from 'js-yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The options serverless-esbuild 1.57 removes before it calls esbuild (its dist/bundle.js), and `plugins`. */
const SERVERLESS_ESBUILD_ONLY = [
  'concurrency', 'zipConcurrency', 'exclude', 'nativeZip', 'packager', 'packagePath', 'watch', 'keepOutputDirectory',
  'packagerOptions', 'installExtraArgs', 'outputFileExtension', 'outputBuildFolder', 'outputWorkFolder', 'nodeExternals',
  'skipBuild', 'skipRebuild', 'skipBuildExcludeFns', 'stripEntryResolveExtensions', 'disposeContext', 'plugins',
];

interface ServerlessEsbuild extends Record<string, unknown> {
  exclude?: string[];
  outputFileExtension?: string;
  plugins?: string;
}

interface ServerlessConfig {
  custom: { esbuild: ServerlessEsbuild };
  functions: Record<string, { handler: string }>;
}

export interface LambdaBuild {
  /** The bundle, `<outdir>/<handler file>.mjs` (outputFileExtension). */
  bundle: string;
  /** esbuild's account of the inputs and outputs (bytes per file, imports per module). */
  metafile: Metafile;
}

/** serverless.yml, parsed. Throws js-yaml's error when it does not parse. */
export function serverlessConfig(): ServerlessConfig {
  return load(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as ServerlessConfig;
}

/** The function names serverless.yml declares (`webhook`, `worker`, `drift`). */
export function lambdaFunctions(): string[] {
  return Object.keys(serverlessConfig().functions);
}

/**
 * The esbuild options serverless-esbuild builds each function with (without entryPoints and outdir), plugins
 * loaded. Throws when the plugins file does not load.
 */
export function lambdaBuildOptions(): BuildOptions {
  const { esbuild } = serverlessConfig().custom;
  const options = Object.fromEntries(Object.entries(esbuild).filter(([key]) => !SERVERLESS_ESBUILD_ONLY.includes(key))) as BuildOptions;
  // serverless-esbuild's defaults: exclude ['aws-sdk'], outputFileExtension '.js'.
  const exclude = esbuild.exclude ?? ['aws-sdk'];
  return {
    ...options,
    absWorkingDir: ROOT,
    outExtension: { '.js': esbuild.outputFileExtension ?? '.js' },
    external: [...(options.external ?? []), ...(exclude.includes('*') ? [] : exclude)],
    plugins: esbuild.plugins ? loadPlugins(esbuild.plugins) : [],
  };
}

/**
 * Bundles function `name` of serverless.yml into `outdir` with the deploy's options and plugins; `overrides`
 * replace options (the bench turns the source map off). Throws when serverless.yml has no such function and
 * esbuild's error when the build fails.
 */
export async function buildLambda(name: string, outdir: string, overrides: BuildOptions = {}): Promise<LambdaBuild> {
  const handler = serverlessConfig().functions[name]?.handler;
  if (!handler) throw new Error(`serverless.yml has no function ${name}`);
  const file = handler.slice(0, handler.lastIndexOf('.'));
  const options = lambdaBuildOptions();
  const result = await build({ ...options, logLevel: 'error', ...overrides, entryPoints: { [file]: `${file}.ts` }, outdir, metafile: true });
  return { bundle: join(outdir, `${file}${options.outExtension!['.js']}`), metafile: result.metafile };
}

/** The esbuild plugins of the file serverless.yml names, relative to the repository (serverless-esbuild's `get plugins`). */
function loadPlugins(path: string): Plugin[] {
  const loaded = createRequire(import.meta.url)(join(ROOT, path)) as Plugin[] | (() => Plugin[]);
  return typeof loaded === 'function' ? loaded() : loaded;
}
