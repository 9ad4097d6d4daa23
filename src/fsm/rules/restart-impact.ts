import { findingAt } from '../../core/findings.ts';
import { getAt } from '../../core/json.ts';
import { namespaceOf } from '../../core/kube.ts';
import type { Workload } from '../../plan/plan-types.ts';
import { restartOnlyFields } from '../restart-fields.ts';
import { ofKind, type PlanContext, type Rule } from './rule.ts';

const NAMED_WORKLOADS = 10;

/** MeshConfig spec paths this change alters that reach sidecars only on restart. */
export function restartOnlyChanges(context: PlanContext): string[] {
  const before = getAt(context.live.meshConfig, ['spec']);
  const after = getAt(context.effectiveMeshConfig, ['spec']);
  if (!context.live.meshConfig || ofKind(context, 'MeshConfig').length === 0) return [];
  return restartOnlyFields(before, after);
}

/** The workloads in the mesh's monitored namespaces, whose pods carry sidecars. */
export function meshWorkloads(context: PlanContext): Workload[] {
  return context.live.workloads
    .map((w) => ({ kind: w.kind, namespace: namespaceOf(w) ?? '', name: w.metadata.name }))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

export const restartImpactRule: Rule = {
  name: 'restart-impact',
  check(context) {
    const changed = restartOnlyChanges(context);
    const [meshConfig] = ofKind(context, 'MeshConfig');
    if (changed.length === 0 || !meshConfig) return [];
    const workloads = meshWorkloads(context);
    const names = workloads.slice(0, NAMED_WORKLOADS).map((w) => `${w.kind} ${w.namespace}/${w.name}`);
    const more = workloads.length > NAMED_WORKLOADS ? ` and ${workloads.length - NAMED_WORKLOADS} more` : '';
    const who = workloads.length === 0 ? 'no workloads are in the mesh yet' : `restart ${names.join(', ')}${more}`;
    const how = context.environment.restart === 'rollout' ? 'Apply restarts them (restart: rollout).' : 'Apply does not restart them (restart: manual).';
    const fields = changed.map((p) => `spec.${p}`).join(', ');
    const [first = ''] = changed;
    return [
      findingAt(meshConfig, ['spec', ...first.split('.')], 'warning', 'restart-required', `${fields} ${changed.length === 1 ? 'is' : 'are'} read only when a sidecar is injected: meshed pods keep the old value until they restart; ${who}. ${how}`),
    ];
  },
};
