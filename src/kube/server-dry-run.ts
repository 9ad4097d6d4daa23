import { namespaceOf, objectKey, type KubeObject } from '../core/kube.ts';
import { FIELD_MANAGER } from '../core/ownership.ts';
import { fsmKindOf } from '../fsm/kinds.ts';
import type { DryRunOutcome } from '../live/live-state.ts';
import type { KubeClient } from './kube-client.ts';
import { KubeApiError } from './kube-errors.ts';
import { objectPath, typeFor } from './resource-paths.ts';

export const APPLY_PATCH = 'application/apply-patch+yaml';

/** The API path of an FSM object. */
export function fsmObjectPath(object: KubeObject): string {
  const kind = fsmKindOf(object);
  if (!kind) throw new Error(`${object.kind} is not an FSM kind`);
  return objectPath(typeFor(object.apiVersion, kind.plural, kind.namespaced), namespaceOf(object), object.metadata.name);
}

/** Server-side apply of one object as field manager fsm-gitops, taking over conflicting fields (the repository is the source of truth for what it sets). */
export function serverSideApply(client: KubeClient, object: KubeObject, dryRun: boolean): Promise<KubeObject> {
  return client.request<KubeObject>({
    method: 'PATCH',
    path: fsmObjectPath(object),
    query: { fieldManager: FIELD_MANAGER, force: 'true', dryRun: dryRun ? 'All' : undefined },
    body: object,
    contentType: APPLY_PATCH,
    what: `${dryRun ? 'dry-run apply' : 'apply'} ${object.kind} ${object.metadata.name}`,
  });
}

/** Dry-runs every object; a validation or admission refusal is an outcome, anything else (unreachable, forbidden) fails the whole run. */
export async function serverDryRun(client: KubeClient, objects: readonly KubeObject[]): Promise<Map<string, DryRunOutcome>> {
  const outcomes = new Map<string, DryRunOutcome>();
  for (const object of objects) {
    try {
      outcomes.set(objectKey(object), { ok: true, object: await serverSideApply(client, object, true) });
    } catch (error) {
      if (!(error instanceof KubeApiError) || !isRefusal(error)) throw error;
      outcomes.set(objectKey(object), { ok: false, status: error.status, message: error.message, causes: error.causes });
    }
  }
  return outcomes;
}

/** 400 (bad request), 409 (conflict), 422 (invalid), and admission webhooks' denials (often 400 or 403 with a reason). */
function isRefusal(error: KubeApiError): boolean {
  return error.status === 400 || error.status === 409 || error.status === 422 || (error.status === 403 && error.reason !== 'Forbidden');
}
