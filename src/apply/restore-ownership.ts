import { deepEqual, type JsonValue } from '../core/json.ts';
import { displayName, managedFieldsOf, type KubeObject } from '../core/kube.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import { KubeApiError } from '../kube/kube-errors.ts';
import { fsmObjectPath } from '../kube/fsm-objects.ts';
import { resourceVersionOf } from './lease-object.ts';

const MERGE_PATCH = 'application/merge-patch+json';

/**
 * Gives every field back to the managers that owned it before our apply, by putting back `before`'s
 * metadata.managedFields with a JSON merge patch conditional on the object's resourceVersion. Without it,
 * a restore by server-side apply leaves fsm-gitops owning the fields it had taken over (fsm-bootstrap's
 * MeshConfig fields), and the next apply of a repository that does not set them would remove them.
 * A non-apply write may overwrite managedFields (Kubernetes docs, "Server-Side Apply": managedFields can
 * be reset by Update and Patch); the values do not change, so the patch itself owns nothing.
 * Returns a problem line, or undefined when ownership is as before.
 */
export async function restoreOwnership(client: KubeApi, before: KubeObject, guard: (() => void) | undefined): Promise<string | undefined> {
  const path = fsmObjectPath(before);
  const managedFields = (before.metadata['managedFields'] ?? []) as JsonValue;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const current = (await client.get(path, `read ${displayName(before)}`)) as KubeObject | undefined;
    if (!current) return 'deleted by someone else while being restored';
    if (sameOwnership(current, before)) return undefined;
    try {
      await client.request({
        method: 'PATCH',
        path,
        body: { metadata: { resourceVersion: resourceVersionOf(current) ?? '', managedFields } },
        contentType: MERGE_PATCH,
        what: `restore the field ownership of ${displayName(before)}`,
        ...(guard ? { guard } : {}),
      });
      return undefined;
    } catch (error) {
      // 409: changed since read (our own patch whose answer was lost, or someone else): read again.
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
    }
  }
  return 'values restored, but not which manager owns each field (it kept changing): the next apply may remove fields fsm-gitops took over';
}

/** The same managers, operations and field sets (times aside). */
export function sameOwnership(a: KubeObject, b: KubeObject): boolean {
  return deepEqual(ownership(a), ownership(b));
}

function ownership(object: KubeObject): JsonValue[] {
  return managedFieldsOf(object)
    .map((e) => [e['manager'] ?? null, e['operation'] ?? null, e['apiVersion'] ?? null, e['subresource'] ?? null, e['fieldsV1'] ?? null] as JsonValue[])
    .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
}
