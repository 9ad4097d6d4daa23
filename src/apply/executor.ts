import { isObject } from '../core/json.ts';
import { displayName, objectKey, type KubeObject } from '../core/kube.ts';
import { COMMIT_ANNOTATION } from '../core/ownership.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import { fsmObjectPath } from '../kube/fsm-objects.ts';
import { KubeApiError } from '../kube/kube-errors.ts';
import type { ApplySet } from '../plan/apply-set.ts';
import { carriesCommit } from './commit-annotation.ts';
import { applyIfOurs, pruneIfOurs, WriteRefusedError } from './guarded-writes.ts';
import { LeaseLostError } from './lease-renewal.ts';
import { pruneRefusal, writeRefusal } from './ownership-check.ts';
import { rollBack, type Step } from './rollback.ts';

export interface ExecuteOptions {
  commit: string;
  /** The environment applied: only objects carrying its labels are written over or pruned (ownership-check.ts). */
  environment: string;
  /** Keys (objectKey) of the objects whose plan says create or update; the others are not touched. */
  changed: ReadonlySet<string>;
  /** The Lease's fence (HeldLock.fence): throws LeaseLostError. Runs before every write attempt. */
  fence?: () => void;
  /** The client a rollback writes with: the command's deadline may be what failed, and undoing still needs time. */
  rollbackClient?: () => KubeApi;
  progress?(message: string): void;
}

export interface ExecuteResult {
  /** `refused`: the cluster changed since the plan (an object not ours to write or prune): nothing was written. */
  result: 'applied' | 'rolled-back' | 'failed' | 'refused';
  /** What was done, in order: `create Plugin cors`, `delete PluginChain bookinfo/old`. */
  done: string[];
  /** Writes whose answer was lost: they may or may not have happened (a rollback settles them by reading). */
  uncertain: string[];
  /** What failed and, after a rollback, whether the cluster is back as it was. */
  message?: string;
  /** What a rollback could not undo, one line each; the cluster needs attention there. */
  notUndone: string[];
}

/**
 * Applies an environment's objects in dependency order (server-side apply, field manager fsm-gitops),
 * prunes in reverse order, and verifies. Before the first write it records every object it will touch;
 * if any step fails it undoes its own writes (src/apply/rollback.ts: never over someone else's later
 * write) and says what it could not undo. An object that is not this environment's to write or prune
 * (someone created or relabelled it since the plan) stops the apply before its first write, and each
 * write is judged again on the object as it is then (guarded-writes.ts). When the Lease is lost it stops
 * writing and does not roll back: another apply may be writing. Never throws once a write was made: the result tells what happened.
 */
export async function executeApply(client: KubeApi, set: ApplySet, options: ExecuteOptions): Promise<ExecuteResult> {
  const toApply = set.apply.filter((o) => options.changed.has(objectKey(o))).map((o) => annotated(o, options.commit));
  const recorded = new Map<string, KubeObject | undefined>();
  for (const object of [...toApply, ...set.prune]) {
    recorded.set(objectKey(object), (await client.get(fsmObjectPath(object), `read ${displayName(object)}`)) as KubeObject | undefined);
  }
  const refusals = [
    ...toApply.flatMap((o) => writeRefusal(o, recorded.get(objectKey(o)), options.environment) ?? []),
    ...set.prune.flatMap((o) => pruneRefusal(o, recorded.get(objectKey(o)), options.environment) ?? []),
  ];
  if (refusals.length > 0) return { result: 'refused', done: [], uncertain: [], notUndone: [], message: `nothing written: ${refusals.join('; ')}` };
  const steps: Step[] = [];
  const fence = options.fence;
  try {
    for (const object of toApply) {
      const step: Step = { action: 'update', object, before: recorded.get(objectKey(object)), after: undefined };
      options.progress?.(`${step.before ? 'update' : 'create'} ${displayName(object)}`);
      await write(steps, step, () => applyIfOurs(client, step, options.environment, options.commit, fence), fence);
    }
    for (const object of set.prune) {
      const step: Step = { action: 'delete', object, before: recorded.get(objectKey(object)), after: undefined };
      options.progress?.(`delete ${displayName(object)}`);
      await write(steps, step, async () => (await pruneIfOurs(client, step, options.environment, fence), undefined), fence);
    }
    await verify(client, toApply, set.prune, options.commit);
    return { result: 'applied', done: steps.map(describe), uncertain: [], notUndone: [] };
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    const done = steps.filter((s) => !s.uncertain).map(describe);
    const uncertain = steps.filter((s) => s.uncertain).map(describe);
    if (error instanceof LeaseLostError) {
      return { result: 'failed', done, uncertain, notUndone: [], message: `${failure}. Not rolled back: another apply may be changing the environment now. Run a plan to see where it stands` };
    }
    options.progress?.(`failed: ${failure}; rolling back ${steps.length} step(s)`);
    const { problems, lostLease } = await rollBack(options.rollbackClient?.() ?? client, steps, { commit: options.commit, ...(fence ? { guard: fence } : {}) });
    if (lostLease) {
      return { result: 'failed', done, uncertain, notUndone: problems, message: `${failure}. Rolling back, ${lostLease.message}. Not rolled back further: another apply may be changing the environment now. Run a plan to see where it stands` };
    }
    if (problems.length === 0) {
      return { result: 'rolled-back', done, uncertain, notUndone: [], message: `${failure}. Rolled back: the cluster is as it was before this apply.` };
    }
    return { result: 'failed', done, uncertain, notUndone: problems, message: `${failure}. Rollback incomplete, the cluster needs attention: ${problems.join('; ')}` };
  }
}

/**
 * Runs one write and records its step. A refusal (4xx, or fsm-gitops's own ownership check) or a fence
 * that stopped it before the first attempt wrote nothing; any other failure (5xx after retries, no answer)
 * may have written: the step is kept as uncertain, for the rollback to settle by reading.
 */
async function write(steps: Step[], step: Step, run: () => Promise<string | undefined>, fence: (() => void) | undefined): Promise<void> {
  fence?.(); // refused here, nothing was sent
  try {
    step.after = await run();
    steps.push(step);
  } catch (error) {
    const wroteNothing = (error instanceof KubeApiError && error.status < 500) || error instanceof WriteRefusedError;
    if (!wroteNothing) steps.push({ ...step, after: undefined, uncertain: true });
    throw error;
  }
}

function annotated(object: KubeObject, commit: string): KubeObject {
  const copy = structuredClone(object);
  const annotations = isObject(copy.metadata['annotations']) ? copy.metadata['annotations'] : {};
  copy.metadata['annotations'] = { ...annotations, [COMMIT_ANNOTATION]: commit };
  return copy;
}

/** Every applied object carries this commit; every pruned one is gone. */
async function verify(client: KubeApi, applied: readonly KubeObject[], pruned: readonly KubeObject[], commit: string): Promise<void> {
  for (const object of applied) {
    const live = await client.get(fsmObjectPath(object), `verify ${displayName(object)}`);
    if (!carriesCommit(live, commit)) throw new Error(`verify: ${displayName(object)} does not carry commit ${commit} after apply`);
  }
  for (const object of pruned) {
    const live = await client.get(fsmObjectPath(object), `verify ${displayName(object)} is deleted`);
    if (live && !(isObject(live['metadata']) && live['metadata']['deletionTimestamp'])) throw new Error(`verify: ${displayName(object)} still exists after delete`);
  }
}

function describe(step: Step): string {
  return `${step.action} ${displayName(step.object)}`;
}
