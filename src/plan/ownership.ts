import { getAt } from '../core/json.ts';
import { labelOf, managedFieldsOf, type KubeObject } from '../core/kube.ts';
import { ADOPT_ANNOTATION, ENVIRONMENT_LABEL, FIELD_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/ownership.ts';
import { fsmKindOf } from '../fsm/kinds.ts';

/**
 * Who a live object belongs to, as fsm-gitops sees it (issue 9: ownership is never granted by our own write):
 * - `this-environment`: it carries app.kubernetes.io/managed-by=fsm-gitops and this environment's fsm-gitops.io/environment;
 * - `environment`: it carries managed-by=fsm-gitops and another environment's label;
 * - `others`: anything else (made with kubectl, by Helm, by a controller, or handed back by removing our labels).
 */
export type Owner =
  | { by: 'this-environment' }
  | { by: 'environment'; environment: string }
  | { by: 'others'; managers: string[] };

/** What a manifest's fsm-gitops.io/adopt annotation asks for. */
export type Adoption = { from: 'others' } | { from: 'environment'; environment: string };

const FROM_ENVIRONMENT = /^from-environment:(\S+)$/;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Whether fsm-gitops labels and owns objects of this kind: the plugin kinds. MeshConfig is fsm-bootstrap's: the repo manages fields of it. */
export function hasOwnership(object: KubeObject): boolean {
  const kind = fsmKindOf(object)?.kind;
  return kind !== undefined && kind !== 'MeshConfig';
}

/** Who owns `live`, from its labels; for `others`, who made or manages it (managedFields, a managed-by label, kubectl's annotation). */
export function ownerOf(live: KubeObject, environment: string): Owner {
  const labelled = labelOf(live, ENVIRONMENT_LABEL);
  if (labelOf(live, MANAGED_BY_LABEL) === MANAGED_BY_VALUE && labelled) {
    return labelled === environment ? { by: 'this-environment' } : { by: 'environment', environment: labelled };
  }
  return { by: 'others', managers: managersOf(live) };
}

/** `labelled app.kubernetes.io/managed-by=Helm`, `managed by kubectl-client-side-apply`, `made with kubectl apply`: as much as the object says. */
function managersOf(live: KubeObject): string[] {
  const said: string[] = [];
  const label = labelOf(live, MANAGED_BY_LABEL);
  if (label) said.push(`labelled ${MANAGED_BY_LABEL}=${label}`);
  const names = managedFieldsOf(live).map((m) => m['manager']).filter((m): m is string => typeof m === 'string' && m !== FIELD_MANAGER);
  if (names.length > 0) said.push(`managed by ${[...new Set(names)].join(', ')}`);
  else if (typeof getAt(live, ['metadata', 'annotations', LAST_APPLIED]) === 'string') said.push('made with kubectl apply');
  return said;
}

/**
 * The manifest's adoption request: undefined without the annotation; an error message for a value that is
 * neither `"true"` nor `"from-environment:<name>"`.
 */
export function adoptionOf(manifest: KubeObject): { adoption: Adoption | undefined } | { error: string } {
  const value = getAt(manifest, ['metadata', 'annotations', ADOPT_ANNOTATION]);
  if (value === undefined) return { adoption: undefined };
  if (value === 'true') return { adoption: { from: 'others' } };
  const named = typeof value === 'string' ? FROM_ENVIRONMENT.exec(value) : null;
  if (named) return { adoption: { from: 'environment', environment: named[1]! } };
  return { error: `${ADOPT_ANNOTATION} is "true" (adopt an object fsm-gitops did not create) or "from-environment:<name>" (take it from that environment), not ${JSON.stringify(value)}` };
}

/** Whether the adoption asked for covers this owner: `"true"` only objects no environment owns, `from-environment:X` only X's. */
export function adoptionCovers(adoption: Adoption | undefined, owner: Owner): boolean {
  if (owner.by === 'this-environment') return true;
  if (!adoption) return false;
  if (owner.by === 'others') return adoption.from === 'others';
  return adoption.from === 'environment' && adoption.environment === owner.environment;
}

/** The annotation value that adopts an object of this owner. */
export function adoptionValue(owner: Exclude<Owner, { by: 'this-environment' }>): string {
  return owner.by === 'others' ? 'true' : `from-environment:${owner.environment}`;
}

/** `not created by fsm-gitops (managed by kubectl-client-side-apply)`, `owned by environment staging`. */
export function describeOwner(owner: Exclude<Owner, { by: 'this-environment' }>): string {
  if (owner.by === 'environment') return `owned by fsm-gitops environment ${owner.environment}`;
  return `not created by fsm-gitops${owner.managers.length > 0 ? ` (${owner.managers.join('; ')})` : ''}`;
}
