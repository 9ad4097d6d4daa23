/**
 * A local osls plugin (serverless.yml `plugins:`) that lets `osls package` build the helm layer without AWS
 * credentials. Packaging a service with a layer asks CloudFormation whether the deployed stack already
 * holds an identical layer, to reuse its upload (osls lib/plugins/aws/package/compile/layers.js,
 * compareWithLastLayer), and so fails offline with "AWS provider credentials not found"
 * (serverless/serverless#8187, open). Under `package` only, this skips that question: the packaged
 * template then names the new layer zip, which `osls deploy --package .serverless` uploads. `osls deploy`
 * (which packages again, with credentials) keeps the reuse.
 */
export default class OfflineLayerPackage {
  constructor(serverless) {
    this.hooks = {};
    if (serverless.processedInput?.commands?.[0] !== 'package') return;
    this.hooks['before:package:compileLayers'] = () => {
      const compiler = serverless.pluginManager.plugins.find((plugin) => typeof plugin.compareWithLastLayer === 'function');
      if (!compiler) throw new Error('osls-offline-layers: osls has no compareWithLastLayer any more; remove this plugin if `osls package` runs offline without it');
      compiler.compareWithLastLayer = async () => undefined;
    };
  }
}
