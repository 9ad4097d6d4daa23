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
 * Server-side applies `step.object` only while it is this environment's to write (ownership-check.ts),
 * judged on the object as it is at the write, not as it was when the apply started: an update carries the
 * resourceVersion it was judged on (a precondition: 409 when someone wrote since, then judged again, up
 * to 3 times); a create reads first that nothing appeared meanwhile. `step.before` becomes the object as it
 * was right before our write (for the rollback). Returns the resourceVersion our write left.
 * Throws WriteRefusedError (nothing sent) or the API error.
 */
export async function applyIfOurs(client: KubeApi, step: Step, environment: string, commit: string, fence: (() => void) | undefined): Promise<string | undefined> {
  const path = fsmObjectPath(step.object);
  for (let attempt = 1; ; attempt++) {
    if (!step.before) step.before = (await client.get(path, `read ${displayName(step.object)}`)) as KubeObject | undefined;
    step.action = step.before ? 'update' : 'create';
    const refusal = writeRefusal(step.object, step.before, environment);
    if (refusal) throw new WriteRefusedError(refusal);
    const body = structuredClone(step.object);
    if (step.before) body.metadata['resourceVersion'] = resourceVersionOf(step.before) ?? '';
    try {
      return resourceVersionOf(await serverSideApply(client, body, false, fence));
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409) || attempt >= TRIES) throw error;
      const now = (await client.get(path, `read ${displayName(step.object)}`)) as KubeObject | undefined;
      // Our own write whose answer was lost changed it too: keep what was there before us for the rollback.
      if (now && carriesCommit(now, commit) && !carriesCommit(step.before, commit)) return resourceVersionOf(now);
      step.before = now;
    }
  }
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
