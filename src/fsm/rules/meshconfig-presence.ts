import { findingAt } from '../../core/findings.ts';
import { missingMeshConfig } from '../../live/live-gaps.ts';
import { crdName, FSM_KINDS } from '../kinds.ts';
import type { Rule } from './rule.ts';

const MESHCONFIG_CRD = crdName(FSM_KINDS.find((k) => k.kind === 'MeshConfig')!);

/**
 * fsm-gitops changes the MeshConfig FSM's bootstrap created at install and never creates one: the repository's
 * is a partial spec merged onto the live object (FSM docs, "MeshConfig"; DESIGN.md). A repository MeshConfig
 * (used or refused) with none in the mesh's namespace means FSM is not installed there, or `mesh.namespace` is
 * wrong: one error says which to check. Without the CRD, the schema rule's `schema-unavailable` says it instead.
 */
export const meshConfigPresenceRule: Rule = {
  name: 'meshconfig-presence',
  check({ desired, live, environment }) {
    if (live.meshConfig || !live.crds.some((crd) => crd.metadata.name === MESHCONFIG_CRD)) return [];
    const file = desired.resources.find((r) => r.object.kind === 'MeshConfig');
    if (!file) return [];
    return [findingAt(file, ['kind'], 'error', 'meshconfig-missing', missingMeshConfig(live, environment.mesh, environment.name))];
  },
};
