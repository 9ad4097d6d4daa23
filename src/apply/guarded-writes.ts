import { displayName, type KubeObject } from '../core/kube.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import { KubeApiError } from '../kube/kube-errors.ts';
import { deleteFsmObject, fsmObjectPath, serverSideApply } from '../kube/fsm-objects.ts';
import { carriesCommit } from './commit-annotation.ts';
import { resourceVersionOf } from './lease-object.ts';
import { pruneRefusal, writeRefusal } from './ownership-check.ts';
import type { Step } from './rollback.ts';

/** fsm-gitops stopped a write itself, before sending it: the object is not this environment's any more. */
export class WriteRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteRefusedError';
  }
}

const TRIES = 3;

/**
 * A resourceVersion no object can have: the largest unsigned 64-bit number, above any etcd revision (a
 * signed 64-bit number). The API server ignores metadata.resourceVersion when a server-side apply creates
 * the object, and answers 409 Conflict when the object exists with another version (checked on
 * kube-apiserver 1.20, test/cluster/apply.cluster-test.ts; controller-runtime's fake client models the same
 * "allowed on create, then ignored"). So an apply carrying it creates the object only if there is none:
 * a create's guard without a read first.
 */
export const ABSENT_VERSION = '18446744073709551615';

/**
 * Server-side applies `step.object` only while it is this environment's to write (ownership-check.ts),
 * judged on `step.before` (the object as the plan read it, undefined if absent) and made conditional on
 * it: an update carries its resourceVersion and uid, a create ABSENT_VERSION, so the write fails 409 if the
 * object changed (or appeared) since. The uid is what keeps an update from creating: a server-side apply
 * ignores resourceVersion when the object is gone, but refuses a uid no object has (409 "uid mismatch",
 * checked on kube-apiserver 1.20, test/cluster/apply.cluster-test.ts). On a 409 the object is read, judged
 * again and written again, up to 3 times; `step.before` becomes the object as it was right before our write
 * (for the rollback). An object the plan saw that is gone is not created again: the plan showed an update,
 * and someone deleted it on purpose. Returns the server's answer: the object as our write left it.
 * Throws WriteRefusedError (nothing sent) or the API error.
 */
export async function applyIfOurs(client: KubeApi, step: Step, environment: string, commit: string, fence: (() => void) | undefined): Promise<KubeObject> {
  const path = fsmObjectPath(step.object);
  for (let attempt = 1; ; attempt++) {
    step.action = step.before ? 'update' : 'create';
    const refusal = writeRefusal(step.object, step.before, environment);
    if (refusal) throw new WriteRefusedError(refusal);
    try {
      return await serverSideApply(client, conditionalOn(step.object, step.before), false, fence);
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409) || attempt >= TRIES) throw error;
      const now = (await client.get(path, `read ${displayName(step.object)}`)) as KubeObject | undefined;
      // Our own write whose answer was lost (the client retried it) changed it too: keep what was there before us for the rollback.
      if (now && carriesCommit(now, commit) && !carriesCommit(step.before, commit)) return now;
      if (!now && step.before) throw new WriteRefusedError(`${displayName(step.object)} was deleted since the plan read it: not creating it again, which the plan did not show. The cluster changed since the plan; plan again`);
      step.before = now;
    }
  }
}

/**
 * The configuration to apply, made conditional on `before`: its resourceVersion and uid (so a missing object is
 * not created), or ABSENT_VERSION when there was none (so an existing one is not written over).
 */
export function conditionalOn(object: KubeObject, before: KubeObject | undefined): KubeObject {
  const body = structuredClone(object);
  body.metadata['resourceVersion'] = before ? (resourceVersionOf(before) ?? '') : ABSENT_VERSION;
  const uid = before?.metadata['uid'];
  if (typeof uid === 'string' && uid !== '') body.metadata['uid'] = uid;
  return body;
}

/**
 * Deletes `step.object` (a prune) only while it still carries this environment's labels and is the
 * object the plan saw, conditional on the resourceVersion it was judged on (409: judged again, up to 3
 * times). Throws WriteRefusedError (nothing sent) or the API error.
 */
export async function pruneIfOurs(client: KubeApi, step: Step, environment: string, fence: (() => void) | undefined): Promise<void> {
  const path = fsmObjectPath(step.object);
  for (let attempt = 1; ; attempt++) {
    const refusal = pruneRefusal(step.object, step.before, environment);
    if (refusal) throw new WriteRefusedError(refusal);
    if (!step.before) return; // already gone
    try {
      return await deleteFsmObject(client, step.object, { resourceVersion: resourceVersionOf(step.before), guard: fence });
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409) || attempt >= TRIES) throw error;
      step.before = (await client.get(path, `read ${displayName(step.object)}`)) as KubeObject | undefined;
    }
  }
}
