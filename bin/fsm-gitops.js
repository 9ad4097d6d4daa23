#!/usr/bin/env node
// The published CLI runs the bundle `npm run build` writes (scripts/build-cli.ts; run by `npm ci` through
// "prepare"): a few files for Node to read instead of ~1,100 modules, which made most of the start-up.
import module from 'node:module';

// Node >= 22.1 keeps the bundle's compiled code in a cache (in os.tmpdir()/node-compile-cache unless
// NODE_COMPILE_CACHE names a folder) and reuses it: later runs start faster, the first is unchanged.
// Node 20 has no such cache: the optional call does nothing there.
module.enableCompileCache?.();

// Stack traces name src/ lines (the bundle's .map files) when FSM_GITOPS_DEBUG asks for them; reading the
// maps costs time, so other runs leave them off.
if (process.env.FSM_GITOPS_DEBUG) process.setSourceMapsEnabled(true);

await import('../dist/cli/main.js');
