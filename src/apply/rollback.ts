import { beingDeleted } from '../core/deletion.ts';
import { displayName, managedFieldsOf, type KubeObject } from '../core/kube.ts';
import { FIELD_MANAGER } from '../core/ownership.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import { KubeApiError } from '../kube/kube-errors.ts';
import { deleteFsmObject, fsmObjectPath } from '../kube/fsm-objects.ts';
import { APPLY_PATCH } from '../kube/yaml-safe-json.ts';
import { carriesCommit } from './commit-annotation.ts';
import { conditionalOn } from './guarded-writes.ts';
import { resourceVersionOf } from './lease-object.ts';
import { LeaseLostError } from './lease-renewal.ts';
import { isRestored, restoreConfig } from './restore-config.ts';
import { restoreOwnership } from './restore-ownership.ts';

export interface Step {
  action: 'create' | 'update' | 'delete';
  /** What this apply sent (create, update) or deleted (delete). */
  object: KubeObject;
  /** The object as it was before the step (absent for a create). */
  before: KubeObject | undefined;
  /** The resourceVersion our write left; undefined for a delete or when the write's answer was lost. */
  after: string | undefined;
  /** The write got no answer (or only errors after it may have gone through): it may or may not have happened. */
  uncertain?: boolean;
}

export interface UndoContext {
  /** The commit this apply wrote (its annotation tells our write from someone else's when `after` is unknown). */
  commit: string;
  /** Called before every write: throws when the Lease is lost. */
  guard?: () => void;
}

/**
 * Undoes steps newest first: deletes what was created, puts back what was updated (server-side apply as
 * fsm-gitops, see restore-config.ts, then each field's owner as before: restore-ownership.ts) or deleted. An object someone changed after our write is left as
 * it is and named (resourceVersion preconditions: never roll back over another's later write). A write
 * whose answer was lost is judged by reading the object. Returns what could not be undone.
 */
export async function rollBack(client: KubeApi, steps: readonly Step[], context: UndoContext): Promise<RollbackOutcome> {
  const problems: string[] = [];
  const newestFirst = [...steps].reverse();
  for (const [index, step] of newestFirst.entries()) {
    try {
      const problem = await undo(client, step, context);
      if (problem) problems.push(`${step.action} ${displayName(step.object)}: ${problem}`);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        // Every further write would be fenced too: stop, and name what stays as this apply left it.
        for (const left of newestFirst.slice(index)) problems.push(`${left.action} ${displayName(left.object)}: not undone, the apply lock was lost`);
        return { problems, lostLease: error };
      }
      problems.push(`could not undo ${step.action} ${displayName(step.object)}: ${(error as Error).message}`);
    }
  }
  return { problems };
}

export interface RollbackOutcome {
  /** What could not be undone, one line each. */
  problems: string[];
  /** The Lease was lost while rolling back: it stopped there. */
  lostLease?: LeaseLostError;
}

async function undo(client: KubeApi, step: Step, context: UndoContext): Promise<string | undefined> {
  const path = fsmObjectPath(step.object);
  const current = (await client.get(path, `read ${displayName(step.object)}`)) as KubeObject | undefined;
  // Written back or not, an object being deleted goes once its finalizers let it: it cannot be put back before.
  const deleting = current && step.action !== 'create' ? beingDeleted(current) : undefined;
  if (deleting) return `${deleting}: it cannot be put back until it is gone; apply the earlier commit again then`;
  if (step.action === 'delete') return step.before ? recreate(client, step.before, current, context) : undefined;
  if (!current) return step.action === 'create' ? undefined : 'deleted by someone else after this apply: not put back';
  if (step.after === undefined) {
    // The write's answer was lost: it happened if the object carries this apply's commit.
    if (!carriesCommit(current, context.commit)) return undefined;
  } else if (resourceVersionOf(current) !== step.after) {
    return `changed by someone else after this apply (${lastManager(current)}): left as it is`;
  }
  if (step.action === 'create') {
    await deleteFsmObject(client, current, { resourceVersion: resourceVersionOf(current), guard: context.guard });
    return undefined;
  }
  return restore(client, step.before!, step.object, current, context);
}

async function restore(client: KubeApi, before: KubeObject, applied: KubeObject, current: KubeObject, context: UndoContext): Promise<string | undefined> {
  const config = conditionalOn(restoreConfig(before, applied), current);
  try {
    await client.request({
      method: 'PATCH',
      path: fsmObjectPath(before),
      query: { fieldManager: FIELD_MANAGER, force: 'true' },
      body: config,
      contentType: APPLY_PATCH,
      what: `restore ${displayName(before)}`,
      guard: context.guard,
    });
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 409)) throw error;
    // Changed since we read it: our restore whose answer was lost, or someone else's write.
    const now = (await client.get(fsmObjectPath(before), `read ${displayName(before)}`)) as KubeObject | undefined;
    if (!now) return 'deleted by someone else while being restored: not put back';
    if (!isRestored(now, before, applied)) return `changed by someone else while being restored: left as it is`;
  }
  return restoreOwnership(client, before, context.guard);
}

async function recreate(client: KubeApi, before: KubeObject, current: KubeObject | undefined, context: UndoContext): Promise<string | undefined> {
  if (current) return isRestored(current, before, before) ? undefined : 'created again by someone else after this apply: left as it is';
  const object = structuredClone(before);
  delete object['status'];
  for (const field of ['resourceVersion', 'managedFields', 'uid', 'creationTimestamp', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds']) delete object.metadata[field];
  const path = fsmObjectPath(object);
  try {
    await client.request({ method: 'POST', path: path.slice(0, path.lastIndexOf('/')), query: { fieldManager: FIELD_MANAGER }, body: object, what: `recreate ${displayName(object)}`, guard: context.guard });
    return await restoreOwnership(client, before, context.guard); // as it was: fsm-gitops's apply, not a create's update
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 409)) throw error;
    const now = (await client.get(path, `read ${displayName(object)}`)) as KubeObject | undefined;
    return now && isRestored(now, before, before) ? undefined : 'created again by someone else after this apply: left as it is';
  }
}

function lastManager(object: KubeObject): string {
  const latest = managedFieldsOf(object).sort((a, b) => String(b['time'] ?? '').localeCompare(String(a['time'] ?? '')))[0];
  return latest && typeof latest['manager'] === 'string' ? `last by ${latest['manager']}` : 'by another writer';
}
