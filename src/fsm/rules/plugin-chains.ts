import type { Finding } from '../../core/finding.ts';
import { findingAt } from '../../core/findings.ts';
import { getAt, isObject } from '../../core/json.ts';
import { didYouMeanNote as didYouMean } from '../../core/did-you-mean.ts';
import { objectsAfter, ofKind, refusedNames, type PlanContext, type Rule } from './rule.ts';

export const CHAIN_NAMES = ['inbound-tcp', 'inbound-http', 'outbound-tcp', 'outbound-http'] as const;

/** PluginChains mount Plugins at one of FSM's four chains; the Plugins must exist once the change is applied. */
export const pluginChainsRule: Rule = {
  name: 'plugin-chains',
  check(context) {
    const plugins = new Set([...objectsAfter(context, 'Plugin').map((p) => p.metadata.name), ...refusedNames(context, 'Plugin')]);
    const findings: Finding[] = [];
    for (const chain of ofKind(context, 'PluginChain')) {
      const chains = getAt(chain.object, ['spec', 'chains']);
      if (!Array.isArray(chains)) continue;
      chains.forEach((entry, i) => {
        if (!isObject(entry)) return;
        const name = entry['name'];
        if (typeof name === 'string' && !(CHAIN_NAMES as readonly string[]).includes(name)) {
          findings.push(findingAt(chain, ['spec', 'chains', i, 'name'], 'error', 'chain-name-unknown', `chain "${name}" is not one FSM knows; use one of ${CHAIN_NAMES.join(', ')}${didYouMean(name, CHAIN_NAMES)}`));
        }
        const mounted = entry['plugins'];
        if (!Array.isArray(mounted)) return;
        mounted.forEach((plugin, j) => {
          if (typeof plugin === 'string' && !plugins.has(plugin)) {
            findings.push(findingAt(chain, ['spec', 'chains', i, 'plugins', j], 'error', 'plugin-ref-missing', `Plugin "${plugin}" does not exist in the repository or the cluster${didYouMean(plugin, plugins)}${prunedNote(context, plugin)}${unreadNote(context)}; add its manifest or fix the name`));
          }
        });
      });
    }
    findings.push(...pluginConfigRefs(context, plugins));
    return findings;
  },
};

/** A PluginConfig only takes effect for a Plugin that some chain mounts. */
function pluginConfigRefs(context: PlanContext, plugins: ReadonlySet<string>): Finding[] {
  const mounted = new Set(
    objectsAfter(context, 'PluginChain').flatMap((chain) => {
      const chains = getAt(chain, ['spec', 'chains']);
      return Array.isArray(chains) ? chains.flatMap((c) => (isObject(c) && Array.isArray(c['plugins']) ? c['plugins'].map(String) : [])) : [];
    }),
  );
  return ofKind(context, 'PluginConfig').flatMap((config) => {
    const plugin = getAt(config.object, ['spec', 'plugin']);
    if (typeof plugin !== 'string') return [];
    if (!plugins.has(plugin)) {
      return [findingAt(config, ['spec', 'plugin'], 'error', 'plugin-ref-missing', `Plugin "${plugin}" does not exist in the repository or the cluster${didYouMean(plugin, plugins)}${prunedNote(context, plugin)}${unreadNote(context)}; add its manifest or fix the name`)];
    }
    if (!mounted.has(plugin)) {
      return [findingAt(config, ['spec', 'plugin'], 'warning', 'plugin-not-mounted', `no PluginChain mounts Plugin "${plugin}", so this PluginConfig has no effect; add the plugin to a PluginChain's spec.chains[].plugins`)];
    }
    return [];
  });
}

function prunedNote(context: PlanContext, plugin: string): string {
  return context.pruned.some((o) => o.kind === 'Plugin' && o.metadata.name === plugin) ? ' (this change deletes it)' : '';
}

/** A file the plan could not read may hold the object a reference names: said rather than claiming it is nowhere. */
function unreadNote(context: PlanContext): string {
  const [first, ...more] = context.desired.unread;
  if (first === undefined) return '';
  return ` (unless it is in ${first}${more.length > 0 ? ` or ${more.length} more file(s)` : ''}, which could not be read)`;
}
