import { namespaceOf, type KubeObject } from '../core/kube.ts';
import { FIELD_MANAGER } from '../core/ownership.ts';
import { fsmKindOf, hasFsmApiVersion } from '../fsm/kinds.ts';
import type { KubeApi } from './kube-client.ts';
import { KubeApiError } from './kube-errors.ts';
import { objectPath, typeFor } from './resource-paths.ts';
import { APPLY_PATCH } from './yaml-safe-json.ts';

/**
 * The API path of an FSM object, `/apis/<group>/<version>[/namespaces/<ns>]/<plural>/<name>`. Only an
 * apiVersion of FSM's group for the kind with a version in Kubernetes' form (v1alpha3)
 * builds a path (see hasFsmApiVersion); anything else throws, so
 * a crafted apiVersion can never address another object. Namespace and name are percent-encoded.
 */
export function fsmObjectPath(object: KubeObject): string {
  const kind = fsmKindOf(object);
  if (!kind) throw new Error(`${object.kind} is not an FSM kind`);
  if (!hasFsmApiVersion(object)) throw new Error(`${JSON.stringify(object.apiVersion)} is not an apiVersion of FSM's ${kind.kind}`);
  return objectPath(typeFor(object.apiVersion, kind.plural, kind.namespaced), namespaceOf(object), object.metadata.name);
}

/** Server-side apply of one object as field manager fsm-gitops, taking over conflicting fields (the repository is the source of truth for what it sets). `guard` runs before each attempt (the Lease's fence). */
export function serverSideApply(client: KubeApi, object: KubeObject, dryRun: boolean, guard?: () => void): Promise<KubeObject> {
  return client.request<KubeObject>({
    method: 'PATCH',
    path: fsmObjectPath(object),
    query: { fieldManager: FIELD_MANAGER, force: 'true', dryRun: dryRun ? 'All' : undefined },
    body: object,
    contentType: APPLY_PATCH,
    what: `${dryRun ? 'dry-run apply' : 'apply'} ${object.kind} ${object.metadata.name}`,
    ...(guard ? { guard } : {}),
  });
}

/**
 * Deletes an FSM object; one already gone is fine. With `resourceVersion`, only that version of it
 * (a precondition: 409 Conflict when someone changed it since it was read).
 */
export async function deleteFsmObject(client: KubeApi, object: KubeObject, options: { resourceVersion?: string | undefined; guard?: (() => void) | undefined } = {}): Promise<void> {
  try {
    await client.request({
      method: 'DELETE',
      path: fsmObjectPath(object),
      ...(options.resourceVersion ? { body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: options.resourceVersion } } } : {}),
      what: `delete ${object.kind} ${object.metadata.name}`,
      ...(options.guard ? { guard: options.guard } : {}),
    });
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 404)) throw error;
  }
}
