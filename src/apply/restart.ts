import { getAt } from '../core/json.ts';
import { displayName, type KubeObject } from '../core/kube.ts';
import { restartOnlyFields } from '../fsm/restart-fields.ts';
import { fsmObjectPath } from '../kube/fsm-objects.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import { objectPath, WORKLOADS } from '../kube/resource-paths.ts';
import type { Workload } from '../plan/plan-types.ts';

/** What `kubectl rollout restart` does: a new pod-template annotation, so the controller replaces every pod. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

export async function restartWorkloads(client: KubeApi, workloads: readonly Workload[], at: Date, progress?: (message: string) => void): Promise<void> {
  for (const workload of workloads) {
    const type = Object.hasOwn(WORKLOADS, workload.kind) ? WORKLOADS[workload.kind] : undefined;
    if (!type) continue;
    progress?.(`restarting ${workload.kind} ${workload.namespace}/${workload.name}`);
    await client.request({
      method: 'PATCH',
      path: objectPath(type, workload.namespace, workload.name),
      contentType: 'application/strategic-merge-patch+json',
      body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: at.toISOString() } } } } },
      what: `restart ${workload.kind} ${workload.namespace}/${workload.name}`,
    });
  }
}

const NAMED_WORKLOADS = 5;

/**
 * After an apply that failed and was not wholly rolled back: the MeshConfig fields read only at sidecar
 * injection (restart-fields.ts) that the cluster now holds with other values than `before` (the MeshConfig
 * as the plan read it), read again now, and the workloads whose pods keep the old values until they restart.
 * The next plan compares the repository with that MeshConfig and sees nothing to restart, so this is the
 * one place it is said. undefined when no such field differs, or when the MeshConfig cannot be read (the
 * failure being reported matters more).
 */
export async function restartLeftPending(client: KubeApi, before: KubeObject | undefined, workloads: readonly Workload[]): Promise<string | undefined> {
  if (!before || workloads.length === 0) return undefined;
  let now: KubeObject | undefined;
  try {
    now = (await client.get(fsmObjectPath(before), `read ${displayName(before)}`)) as KubeObject | undefined;
  } catch {
    return undefined;
  }
  const fields = restartOnlyFields(getAt(before, ['spec']), getAt(now, ['spec']));
  if (fields.length === 0) return undefined;
  const names = workloads.slice(0, NAMED_WORKLOADS).map((w) => `${w.kind} ${w.namespace}/${w.name}`).join(', ');
  const more = workloads.length > NAMED_WORKLOADS ? ` and ${workloads.length - NAMED_WORKLOADS} more` : '';
  return `The MeshConfig keeps its new ${fields.map((f) => `spec.${f}`).join(', ')}, read only when a sidecar is injected, and no workload was restarted: once the MeshConfig is as it should be, restart ${names}${more} (kubectl rollout restart)`;
}
