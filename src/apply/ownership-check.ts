import { displayName, type KubeObject } from '../core/kube.ts';
import { ADOPT_ANNOTATION } from '../core/ownership.ts';
import { adoptionCovers, adoptionOf, describeOwner, hasOwnership, ownerOf } from '../plan/ownership.ts';

/**
 * Apply-time guard for a write (the plan may be stale: someone may have created or relabelled the object
 * since). `desired` is the manifest about to be server-side applied (as ApplySet.apply holds it, with its
 * fsm-gitops.io/adopt annotation if the repository has one); `live` is the object as read just before the
 * write, undefined if it does not exist. Returns why the write must not happen, or undefined when it may:
 * - no live object, or a MeshConfig (not labelled: fsm-bootstrap owns it): may write;
 * - live carries this environment's labels (app.kubernetes.io/managed-by=fsm-gitops, fsm-gitops.io/environment): may write;
 * - otherwise only if the manifest's adopt annotation covers the live owner (`"true"` for an object no
 *   environment owns, `"from-environment:X"` for X's), exactly as the plan's `not-owned` rule decides.
 */
export function writeRefusal(desired: KubeObject, live: KubeObject | undefined, environment: string): string | undefined {
  if (!live || !hasOwnership(desired)) return undefined;
  const owner = ownerOf(live, environment);
  if (owner.by === 'this-environment') return undefined;
  const asked = adoptionOf(desired);
  if ('adoption' in asked && adoptionCovers(asked.adoption, owner)) return undefined;
  return `${displayName(desired)} is ${describeOwner(owner)} and its manifest does not adopt it (${ADOPT_ANNOTATION}): not writing it. The cluster changed since the plan; plan again`;
}

/**
 * Apply-time guard for a prune. `planned` is the object as the plan saw it (ApplySet.prune); `live` is the
 * object as read just before the delete, undefined if it is already gone. Returns why the delete must not
 * happen, or undefined when it may: only an object that still carries both of this environment's labels, and
 * is still the same object (same uid) the plan saw, is deleted. A MeshConfig is never deleted.
 */
export function pruneRefusal(planned: KubeObject, live: KubeObject | undefined, environment: string): string | undefined {
  if (!hasOwnership(planned)) return `${displayName(planned)} is not a kind fsm-gitops prunes: not deleting it`;
  if (!live) return undefined;
  const owner = ownerOf(live, environment);
  if (owner.by !== 'this-environment') return `${displayName(planned)} no longer carries this environment's labels (${describeOwner(owner)}): not deleting it. The cluster changed since the plan; plan again`;
  const [was, is] = [planned.metadata['uid'], live.metadata['uid']];
  if (was !== undefined && is !== undefined && was !== is) return `${displayName(planned)} was deleted and created again since the plan (uid ${String(was)} → ${String(is)}): not deleting it; plan again`;
  return undefined;
}
