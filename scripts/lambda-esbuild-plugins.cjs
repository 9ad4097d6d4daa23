/**
 * The Lambda bundles' esbuild plugins: serverless.yml's custom.esbuild.plugins names this file, which
 * serverless-esbuild `require()`s; it takes the exported function's result (an array of esbuild plugins).
 * They are the CLI bundle's (esbuild-plugins.cjs).
 */
'use strict';

module.exports = () => require('./esbuild-plugins.cjs').bundlePlugins();
