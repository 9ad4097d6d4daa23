/**
 * The esbuild plugins of every fsm-gitops bundle: the CLI's (scripts/build-cli.ts) and the Lambda functions'
 * (serverless.yml custom.esbuild.plugins names scripts/lambda-esbuild-plugins.cjs, which serverless-esbuild
 * `require()`s, hence CommonJS). They shrink what a bundle costs at load: @kubernetes/client-node's unused
 * modules, and the packages only some runs use, evaluated at their first use.
 * Types: esbuild-plugins.d.cts beside this file.
 */
'use strict';

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
 * ~40% of the CLI's kubeconfig chunk's load time. Per package: the importing files (under
 * node_modules/@kubernetes/client-node/) and the names they import, each a function or a class.
 */
const LAZY_IMPORTS = {
  'node-fetch': { from: ['dist/config.js', 'dist/gen/http/isomorphic-fetch.js'], names: ['Headers', 'default'] },
  'socks-proxy-agent': { from: ['dist/config.js'], names: ['SocksProxyAgent'] },
  'jsonpath-plus': { from: ['dist/azure_auth.js', 'dist/gcp_auth.js'], names: ['JSONPath'] },
};

/**
 * Packages fsm-gitops's own modules import for what few runs reach, loaded at their first use in the same way:
 * the `yaml` package parses a chart's rendered manifests (a chart upgrade only), ajv compiles a chart's values
 * schema (a values change only). Evaluating them cost every plan and apply ~50-70 ms of start-up (their cold
 * import, measured on Node 20). Per package: the importing files, relative to the repository, and the names.
 */
const OWN_LAZY_IMPORTS = {
  yaml: { from: ['src/plan/release-changes.ts'], names: ['parseAllDocuments'] },
  ajv: { from: ['src/schema/json-schema.ts'], names: ['Ajv'] },
};

/** The repository's root (with a trailing `/`): OWN_LAZY_IMPORTS' files are relative to it. */
const ROOT = `${require('node:path').resolve(__dirname, '..')}/`;

/** Where a lazy package's own bundle goes when it is built apart (bundlePlugins' `apart`), relative to the chunks. */
const LAZY_DIR = 'lazy';

/**
 * The plugins every fsm-gitops bundle uses, in order (a new array and plugins per call).
 * @param {{ apart?: Map<string, string> }} [options] `apart` (the CLI's build): each lazy package is left out of the
 *   chunks, where V8 would still have to read and pre-parse its code at every start (~1.1 MB: ~60-90 ms), and is
 *   required at its first use from its own file, `lazy/<package>.cjs` beside the chunks. The map is filled with those
 *   files (relative to the output folder) and the entry each bundles, for the build that writes them (build-cli.ts).
 */
function bundlePlugins(options = {}) {
  return [
    lazyImports(withinPackage('@kubernetes/client-node'), LAZY_IMPORTS, 'lazy-import', options.apart),
    lazyImports((importer) => (importer.startsWith(ROOT) ? importer.slice(ROOT.length) : undefined), OWN_LAZY_IMPORTS, 'own-lazy-import', options.apart),
    sideEffectFree(SIDE_EFFECT_FREE),
  ];
}

/**
 * Replaces the imports `lazy` lists by a module of stand-ins that `require()` the package at their first call
 * (`new` passed on): esbuild bundles a required module as a function run at the first require, so the package's
 * code is evaluated then, not when its importer loads. A name an importer imports that is not listed fails the build.
 * @param {(importer: string) => string | undefined} relative an importing file's path as `lazy` names it (undefined: not one of its files)
 * @param {Record<string, { from: string[]; names: string[] }>} lazy
 * @param {string} namespace esbuild's namespace of the stand-ins (test/support/lazy-imports.ts looks for `<namespace>:<package>`)
 * @param {Map<string, string>} [apart] when given, the stand-ins require `lazy/<package>.cjs` (external) instead, and the map gets its entry
 * @returns {import('esbuild').Plugin}
 */
function lazyImports(relative, lazy, namespace, apart) {
  const isLazy = (importer, path) => Object.hasOwn(lazy, path) && lazy[path].from.includes(relative(importer) ?? '');
  return {
    name: namespace,
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.namespace !== 'file' || !isLazy(args.importer, args.path)) return undefined;
        if (apart) {
          // The package as its importer would get it (client-node may have its own copy in a nested node_modules).
          const resolved = await pluginBuild.resolve(args.path, { kind: 'require-call', resolveDir: args.resolveDir });
          if (resolved.errors.length > 0) return { errors: resolved.errors };
          const file = `./${LAZY_DIR}/${args.path.replace(/[^a-z0-9.-]/gi, '_')}.cjs`;
          const known = apart.get(file);
          if (known !== undefined && known !== resolved.path) return { errors: [{ text: `${args.path} resolves to two files (${known}, ${resolved.path}): one lazy file cannot hold both` }] };
          apart.set(file, resolved.path);
          return { path: args.path, namespace, pluginData: { resolveDir: args.resolveDir, file } };
        }
        return { path: args.path, namespace, pluginData: { resolveDir: args.resolveDir } };
      });
      // The chunks sit in the output folder's root, and their banner's require() resolves from the chunk's own URL.
      pluginBuild.onResolve({ filter: new RegExp(`^\\./${LAZY_DIR}/`), namespace }, (args) => ({ path: args.path, external: true }));
      pluginBuild.onLoad({ filter: /.*/, namespace }, (args) => {
        const target = args.pluginData.file ?? args.path;
        // `default` of a CommonJS module is its module.exports, as for an import of it.
        const lines = [`let loaded;`, `const load = () => (loaded ??= require(${JSON.stringify(target)}));`];
        for (const [i, name] of lazy[args.path].names.entries()) {
          const real = name === 'default' ? `(load().__esModule ? load().default : load())` : `load()[${JSON.stringify(name)}]`;
          lines.push(`function lazy${i}(...args) { const real = ${real}; return new.target ? new real(...args) : real.apply(this, args); }`, `export { lazy${i} as ${name} };`);
        }
        return { contents: lines.join('\n'), loader: 'js', resolveDir: args.pluginData.resolveDir };
      });
    },
  };
}

/** An importing file's path inside the installed package `owner` (wherever its node_modules is), else undefined. */
function withinPackage(owner) {
  const prefix = `/node_modules/${owner}/`;
  return (importer) => {
    const at = importer.lastIndexOf(prefix);
    return at >= 0 ? importer.slice(at + prefix.length) : undefined;
  };
}

/**
 * Marks every module of `packages` as free of side effects, as their package.json could have.
 * @param {readonly string[]} packages
 * @returns {import('esbuild').Plugin}
 */
function sideEffectFree(packages) {
  // The package's own files, not those of a dependency nested in its node_modules.
  const inPackage = (path) => {
    const at = path.lastIndexOf('/node_modules/');
    return at >= 0 && packages.some((name) => path.startsWith(`${name}/`, at + '/node_modules/'.length));
  };
  const names = (path) => packages.some((name) => path === name || path.startsWith(`${name}/`));
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

module.exports = { SIDE_EFFECT_FREE, LAZY_IMPORTS, OWN_LAZY_IMPORTS, LAZY_DIR, bundlePlugins };
