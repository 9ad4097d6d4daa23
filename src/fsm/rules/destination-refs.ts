import type { Finding } from '../../core/finding.ts';
import { budgetedDidYouMean, didYouMeanNote } from '../../core/did-you-mean.ts';
import { findingAt } from '../../core/findings.ts';
import { getAt, isObject, type JsonObject, type JsonValue } from '../../core/json.ts';
import { isDnsLabel } from '../../core/names.ts';
import type { LiveState, ServiceNames } from '../../live/live-state.ts';
import { monitoredNamespaces } from '../../live/mesh-scope.ts';
import { ofKind, type ManagedResource, type PlanContext, type Rule } from './rule.ts';

/**
 * A PluginConfig's destinationRefs entry that selects no traffic. FSM (pkg/sidecar/v1/providers/pipy/repo/plugin.go,
 * walkPluginConfig) keeps only entries of kind Service and keys each by `<namespace>/<name>` exactly as written,
 * which its sidecars match against the Services of the namespaces the mesh monitors: another kind is ignored, an
 * entry without a namespace or a name matches no Service (the PluginConfig's own namespace is not put in), and
 * neither does a Service in a namespace the mesh does not monitor. The CRD accepts all of them. Whether the
 * Service exists is serviceRefFindings's, from the API server's answer.
 */
export const destinationRefsRule: Rule = {
  name: 'destination-refs',
  check(context) {
    const findings: Finding[] = [];
    const monitored = knownMonitored(context.live, context.environment.mesh.name);
    for (const config of ofKind(context, 'PluginConfig')) {
      refsOf(config).forEach((ref, i) => {
        if (!isObject(ref)) return;
        const at = (field: string): (string | number)[] => ['spec', 'destinationRefs', i, field];
        if (ref['kind'] !== 'Service') {
          const kind = typeof ref['kind'] === 'string' ? ref['kind'] : '(none)';
          findings.push(findingAt(config, at('kind'), 'warning', 'destination-ref-ignored', `FSM ignores destinationRefs of kind ${kind}: only kind Service selects traffic, so this reference does nothing`));
          return;
        }
        // A value of another type is the schema rule's (schema-type), not a missing one.
        if ((['namespace', 'name'] as const).some((field) => !absent(ref[field]) && typeof ref[field] !== 'string')) return;
        const missing = (['namespace', 'name'] as const).filter((field) => absent(ref[field]));
        if (missing.length > 0) {
          const own = config.object.metadata['namespace'];
          const hint = missing.includes('namespace') && typeof own === 'string' && own !== '' ? `; for a Service in the PluginConfig's own namespace, that is namespace: ${own}` : '';
          findings.push(findingAt(config, ['spec', 'destinationRefs', i], 'warning', 'destination-ref-incomplete', `this Service reference has no ${missing.join(' and no ')}: FSM matches the Service by namespace and name exactly as written (it does not put in the PluginConfig's namespace), so it matches no Service and does nothing; add the ${missing.join(' and the ')}${hint}`));
          return;
        }
        const namespace = String(ref['namespace']);
        if (monitored && !monitored.has(namespace)) findings.push(findingAt(config, at('namespace'), 'warning', 'destination-ref-unmeshed', unmeshed(namespace, context.environment.mesh.name, monitored)));
      });
    }
    return findings;
  },
};

/** A complete Service reference in a monitored namespace: what only the cluster can tell exists. */
interface ServiceRef {
  config: ManagedResource;
  index: number;
  namespace: string;
  name: string;
}

/**
 * The Service references whose Service the API server is asked about: of kind Service, with a namespace and a
 * name, in a namespace the live read lists as monitored (the others get the rule's findings). None when the
 * live state does not know the monitored namespaces.
 */
function lookedUp(context: PlanContext): ServiceRef[] {
  const monitored = knownMonitored(context.live, context.environment.mesh.name);
  if (!monitored) return [];
  return ofKind(context, 'PluginConfig').flatMap((config) =>
    refsOf(config).flatMap((ref, index) => {
      if (!isObject(ref) || ref['kind'] !== 'Service' || !filled(ref, 'namespace') || !filled(ref, 'name')) return [];
      const namespace = String(ref['namespace']);
      return monitored.has(namespace) ? [{ config, index, namespace, name: String(ref['name']) }] : [];
    }),
  );
}

/** The namespaces whose Services a plan lists (LiveStateReader.serviceNames) to check the PluginConfigs' references, sorted, each once. */
export function serviceNamespacesToList(context: PlanContext): string[] {
  return [...new Set(lookedUp(context).map((ref) => ref.namespace))].sort();
}

/** Comparisons of missing Service names with existing ones a plan makes at most: a namespace may hold 100,000 Services. */
const SUGGESTION_BUDGET = 200_000;

/**
 * What the API server's Service lists say of the PluginConfigs' references (serviceNamespacesToList): a Service
 * that does not exist is a warning (`destination-ref-missing`: the reference does nothing until it does, which a
 * later deploy may change), naming the closest existing one while SUGGESTION_BUDGET lasts. The references in
 * namespaces the server did not list are unchecked, which one notice says, naming the namespaces and why.
 */
export function serviceRefFindings(context: PlanContext, services: ServiceNames): Finding[] {
  const refs = lookedUp(context);
  const findings: Finding[] = [];
  const unchecked = refs.filter((ref) => services.unlisted.has(ref.namespace));
  const first = unchecked[0];
  if (first) findings.push(findingAt(first.config, ['spec', 'destinationRefs', first.index], 'notice', 'destination-refs-unchecked', uncheckedMessage(unchecked, services.unlisted)));
  const suggest = budgetedDidYouMean(SUGGESTION_BUDGET);
  for (const { config, index, namespace, name } of refs) {
    const names = services.listed.get(namespace);
    if (!names || names.has(name)) continue;
    findings.push(findingAt(config, ['spec', 'destinationRefs', index, 'name'], 'warning', 'destination-ref-missing', `the cluster has no Service ${JSON.stringify(name)} in namespace ${JSON.stringify(namespace)}${suggest(name, namespace, services.listed.get(namespace) ?? [])}: this reference does nothing until that Service exists`));
  }
  return findings;
}

function uncheckedMessage(unchecked: readonly ServiceRef[], unlisted: ReadonlyMap<string, string>): string {
  const distinct = new Set(unchecked.map((ref) => `${ref.namespace}/${ref.name}`)).size;
  const namespaces = [...new Set(unchecked.map((ref) => ref.namespace))];
  const why = namespaces.map((namespace) => `namespace ${JSON.stringify(namespace)}: ${unlisted.get(namespace)}`).join('; ');
  const what = distinct === 1 ? 'the Service a PluginConfig destinationRef names there exists' : `the ${distinct} Services PluginConfig destinationRefs name there exist`;
  return `the Services of ${namespaces.length === 1 ? 'a namespace' : `${namespaces.length} namespaces`} could not be listed (${why}), so whether ${what} was not checked; the plan goes on without it`;
}

function refsOf(config: ManagedResource): unknown[] {
  const refs = getAt(config.object, ['spec', 'destinationRefs']);
  return Array.isArray(refs) ? refs : [];
}

/** What FSM reads as no value: the field left out, null (the API server drops it) or empty. */
function absent(value: JsonValue | undefined): boolean {
  return value === undefined || value === null || value === '';
}

function filled(ref: JsonObject, field: 'namespace' | 'name'): boolean {
  return typeof ref[field] === 'string' && ref[field] !== '';
}

/** Why a namespace the mesh does not monitor selects nothing, and what to do: add it, or fix a name no namespace can have. */
function unmeshed(namespace: string, mesh: string, monitored: ReadonlySet<string>): string {
  const quoted = JSON.stringify(namespace);
  const effect = `FSM's sidecars match only the Services of the namespaces it monitors, so this reference does nothing`;
  if (!isDnsLabel(namespace)) return `${quoted} is not a namespace name (a lowercase RFC 1123 label), so no namespace mesh ${mesh} monitors has it${didYouMeanNote(namespace, monitored)}: ${effect}`;
  return `namespace ${quoted} is not monitored by mesh ${mesh}${didYouMeanNote(namespace, monitored)}: ${effect}; add the namespace to the mesh (fsm namespace add ${namespace}) or name a Service of a monitored namespace`;
}

/**
 * The namespaces the mesh monitors, when the live state says: an API server's read lists them (by their label),
 * a snapshot holds them when it holds any namespace; FSM's reference install (no cluster) knows none.
 */
function knownMonitored(live: LiveState, meshName: string): ReadonlySet<string> | undefined {
  if (live.origin === 'reference' || (live.origin === 'snapshot' && live.namespaces.length === 0)) return undefined;
  return new Set(monitoredNamespaces(live.namespaces, meshName));
}
