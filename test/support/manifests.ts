/** Small manifest builders for rule tests; each returns YAML text as a user would write it. */

/** `script: null` leaves spec.pipyscript out. */
export function pluginYaml(name: string, script: string | null = 'pipy().pipeline().dummy()', extra = ''): string {
  const scriptBlock = script === null ? '' : `  pipyscript: |\n${script.replace(/^/gm, '    ')}\n`;
  return `apiVersion: plugin.flomesh.io/v1alpha1
kind: Plugin
metadata:
  name: ${name}
spec:
  priority: 100
${scriptBlock}${extra}`;
}

export function chainYaml(name: string, options: { namespace?: string; chain?: string; plugins?: string[]; selectors?: string } = {}): string {
  const selectors = options.selectors ?? '    podSelector:\n      matchLabels:\n        app: productpage\n';
  return `apiVersion: plugin.flomesh.io/v1alpha1
kind: PluginChain
metadata:
  name: ${name}
  namespace: ${options.namespace ?? 'bookinfo'}
spec:
  chains:
    - name: ${options.chain ?? 'inbound-http'}
      plugins:
${(options.plugins ?? ['cors']).map((p) => `        - ${p}`).join('\n')}
  selectors:
${selectors}`;
}

export function pluginConfigYaml(name: string, options: { plugin?: string; kind?: string; config?: string } = {}): string {
  return `apiVersion: plugin.flomesh.io/v1alpha1
kind: PluginConfig
metadata:
  name: ${name}
  namespace: bookinfo
spec:
  plugin: ${options.plugin ?? 'cors'}
  destinationRefs:
    - kind: ${options.kind ?? 'Service'}
      name: productpage
      namespace: bookinfo
  config:
${(options.config ?? 'allowOrigins:\n  - exact: http://example.com').replace(/^/gm, '    ')}
`;
}

/** The MeshConfig change every plugin test needs: FSM rejects plugin kinds without it. */
export const ENABLE_PLUGINS = `apiVersion: config.flomesh.io/v1alpha3
kind: MeshConfig
metadata:
  name: fsm-mesh-config
  namespace: fsm-system
spec:
  featureFlags:
    enablePluginPolicy: true
`;
