import type { Metafile } from 'esbuild';
import { LAZY_IMPORTS, OWN_LAZY_IMPORTS } from '../../scripts/esbuild-plugins.cjs';

/** One table of scripts/esbuild-plugins.cjs (package -> importing files, names) and its stand-ins' esbuild namespace. */
interface LazyTable {
  packages: Readonly<Record<string, { from: string[]; names: string[] }>>;
  namespace: string;
  /** Which importers the table is about (a package's files, or fsm-gitops's own). */
  importers: (path: string) => boolean;
}

/** client-node's packages, imported lazily by its own files. */
export const CLIENT_NODE_LAZY: LazyTable = { packages: LAZY_IMPORTS, namespace: 'lazy-import', importers: () => true };
/** Packages fsm-gitops's own modules (src/) import lazily; other packages may import them as they like. */
export const OWN_LAZY: LazyTable = { packages: OWN_LAZY_IMPORTS, namespace: 'own-lazy-import', importers: (path) => path.startsWith('src/') };

/**
 * How a bundle's modules import the packages of one lazy table, from esbuild's metafile: `eager` lists each
 * static import of one by the table's importers (`importer -> resolved path`) that does not go through its lazy
 * stand-in (`<namespace>:<package>`, which only `require()`s it at first use); `unused` the packages no bundled
 * module imports through the stand-in (the plugin did nothing for them).
 */
export function lazyImportsOf(metafile: Metafile, table: LazyTable = CLIENT_NODE_LAZY): { eager: string[]; unused: string[] } {
  const { inputs, outputs } = metafile;
  const bundled = new Set(Object.values(outputs).flatMap((output) => Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path)));
  const eager: string[] = [];
  const unused: string[] = [];
  for (const name of Object.keys(table.packages)) {
    const stub = `${table.namespace}:${name}`;
    const importers = [...bundled].filter((path) => path !== stub && table.importers(path));
    const imports = importers.flatMap((path) => inputs[path]!.imports.filter((imported) => imported.original === name && imported.kind !== 'require-call').map((imported) => `${path} -> ${imported.path}`));
    eager.push(...imports.filter((line) => !line.endsWith(` -> ${stub}`)));
    if (!imports.some((line) => line.endsWith(` -> ${stub}`))) unused.push(name);
  }
  return { eager, unused };
}
