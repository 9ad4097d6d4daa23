import type { Finding } from '../../core/finding.ts';
import { findingAt } from '../../core/findings.ts';
import { getAt, isObject, type JsonObject } from '../../core/json.ts';
import type { LiveState } from '../../live/live-state.ts';
import { monitoredNamespaces } from '../../live/mesh-scope.ts';
import { ofKind, type Rule } from './rule.ts';

/**
 * A PluginConfig's destinationRefs entry that selects no traffic. FSM (pkg/sidecar/v1/providers/pipy/repo/plugin.go,
 * walkPluginConfig) keeps only entries of kind Service and keys each by `<namespace>/<name>` exactly as written,
 * which its sidecars match against the Services of the namespaces the mesh monitors: another kind is ignored, an
 * entry without a namespace or a name matches no Service (the PluginConfig's own namespace is not put in), and
 * neither does a Service in a namespace the mesh does not monitor. The CRD accepts all of them.
 */
export const destinationRefsRule: Rule = {
  name: 'destination-refs',
  check(context) {
    const findings: Finding[] = [];
    const monitored = knownMonitored(context.live, context.environment.mesh.name);
    for (const config of ofKind(context, 'PluginConfig')) {
      const refs = getAt(config.object, ['spec', 'destinationRefs']);
      if (!Array.isArray(refs)) continue;
      refs.forEach((ref, i) => {
        if (!isObject(ref)) return;
        const at = (field: string): (string | number)[] => ['spec', 'destinationRefs', i, field];
        if (ref['kind'] !== 'Service') {
          const kind = typeof ref['kind'] === 'string' ? ref['kind'] : '(none)';
          findings.push(findingAt(config, at('kind'), 'warning', 'destination-ref-ignored', `FSM ignores destinationRefs of kind ${kind}: only kind Service selects traffic, so this reference does nothing`));
          return;
        }
        const missing = (['namespace', 'name'] as const).filter((field) => !filled(ref, field));
        if (missing.length > 0) {
          const own = config.object.metadata['namespace'];
          const hint = missing.includes('namespace') && typeof own === 'string' && own !== '' ? `; for a Service in the PluginConfig's own namespace, that is namespace: ${own}` : '';
          findings.push(findingAt(config, ['spec', 'destinationRefs', i], 'warning', 'destination-ref-incomplete', `this Service reference has no ${missing.join(' and no ')}: FSM matches the Service by namespace and name exactly as written (it does not put in the PluginConfig's namespace), so it matches no Service and does nothing; add the ${missing.join(' and the ')}${hint}`));
          return;
        }
        const namespace = String(ref['namespace']);
        if (monitored && !monitored.has(namespace)) {
          findings.push(findingAt(config, at('namespace'), 'warning', 'destination-ref-unmeshed', `namespace ${namespace} is not monitored by mesh ${context.environment.mesh.name}: FSM's sidecars match only the Services of the namespaces it monitors, so this reference does nothing; add the namespace to the mesh (fsm namespace add ${namespace}) or name a Service of a monitored namespace`));
        }
      });
    }
    return findings;
  },
};

function filled(ref: JsonObject, field: 'namespace' | 'name'): boolean {
  return typeof ref[field] === 'string' && ref[field] !== '';
}

/**
 * The namespaces the mesh monitors, when the live state says: an API server's read lists them (by their label),
 * a snapshot holds them when it holds any namespace; FSM's reference install (no cluster) knows none.
 */
function knownMonitored(live: LiveState, meshName: string): ReadonlySet<string> | undefined {
  if (live.origin === 'reference' || (live.origin === 'snapshot' && live.namespaces.length === 0)) return undefined;
  return new Set(monitoredNamespaces(live.namespaces, meshName));
}
