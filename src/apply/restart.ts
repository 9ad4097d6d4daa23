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
