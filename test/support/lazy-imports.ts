import type { Metafile } from 'esbuild';
import { LAZY_IMPORTS } from '../../scripts/esbuild-plugins.cjs';

/**
 * How a bundle's modules import the packages of scripts/esbuild-plugins.cjs LAZY_IMPORTS, from esbuild's
 * metafile: `eager` lists each static import of one (`importer -> resolved path`) that does not go through its
 * lazy stand-in (`lazy-import:<package>`, which only `require()`s it at first use); `unused` the packages no
 * bundled module imports through the stand-in (the plugin did nothing for them).
 */
export function lazyImportsOf(metafile: Metafile): { eager: string[]; unused: string[] } {
  const { inputs, outputs } = metafile;
  const bundled = new Set(Object.values(outputs).flatMap((output) => Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path)));
  const eager: string[] = [];
  const unused: string[] = [];
  for (const name of Object.keys(LAZY_IMPORTS)) {
    const stub = `lazy-import:${name}`;
    const imports = [...bundled].filter((path) => path !== stub).flatMap((path) => inputs[path]!.imports.filter((imported) => imported.original === name && imported.kind !== 'require-call').map((imported) => `${path} -> ${imported.path}`));
    eager.push(...imports.filter((line) => !line.endsWith(` -> ${stub}`)));
    if (!imports.some((line) => line.endsWith(` -> ${stub}`))) unused.push(name);
  }
  return { eager, unused };
}
