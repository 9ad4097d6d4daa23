#!/usr/bin/env node
// The published CLI runs the compiled output (npm run build, run by `npm ci` through "prepare").
await import('../dist/cli/main.js');
