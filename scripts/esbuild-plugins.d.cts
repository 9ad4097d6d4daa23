/** Types of the esbuild plugins module beside this file (scripts/build-cli.ts and tests import it through these). */
import type { Plugin } from 'esbuild';

export declare const SIDE_EFFECT_FREE: readonly string[];
export declare const LAZY_IMPORTS: Readonly<Record<string, { from: string[]; names: string[] }>>;
export declare const OWN_LAZY_IMPORTS: Readonly<Record<string, { from: string[]; names: string[] }>>;
export declare const LAZY_DIR: string;
export declare function bundlePlugins(options?: { apart?: Map<string, string> }): Plugin[];
