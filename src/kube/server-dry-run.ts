import { objectKey, type KubeObject } from '../core/kube.ts';
import type { DryRunOutcome } from '../live/live-state.ts';
import { serverSideApply } from './fsm-objects.ts';
import type { KubeApi } from './kube-client.ts';
import { KubeApiError } from './kube-errors.ts';

/** Dry-runs every object; a validation or admission refusal is an outcome, anything else (unreachable, forbidden) fails the whole run. */
export async function serverDryRun(client: KubeApi, objects: readonly KubeObject[]): Promise<Map<string, DryRunOutcome>> {
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
