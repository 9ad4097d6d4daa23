import { isObject } from '../core/json.ts';
import { displayName, objectKey, type KubeObject } from '../core/kube.ts';
import { COMMIT_ANNOTATION } from '../core/ownership.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import { deleteFsmObject, fsmObjectPath, serverSideApply } from '../kube/fsm-objects.ts';
import type { ApplySet } from '../plan/apply-set.ts';
import { rollBack, type Step } from './rollback.ts';

export interface ExecuteOptions {
  commit: string;
  /** Keys (objectKey) of the objects whose plan says create or update; the others are not touched. */
  changed: ReadonlySet<string>;
  progress?(message: string): void;
}

export interface ExecuteResult {
  result: 'applied' | 'rolled-back' | 'failed';
  /** What was done, in order: `create Plugin cors`, `delete PluginChain bookinfo/old`. */
  done: string[];
  /** What failed and, after a rollback, whether the cluster is back as it was. */
  message?: string;
}

/**
 * Applies an environment's objects in dependency order (server-side apply, field manager fsm-gitops),
 * prunes in reverse order, and verifies. Before the first write it records every object it will touch;
 * if any step fails it restores them, deletes what it created, and says whether that worked.
 */
export async function executeApply(client: KubeApi, set: ApplySet, options: ExecuteOptions): Promise<ExecuteResult> {
  const toApply = set.apply.filter((o) => options.changed.has(objectKey(o))).map((o) => annotated(o, options.commit));
  const recorded = new Map<string, KubeObject | undefined>();
  for (const object of [...toApply, ...set.prune]) {
    recorded.set(objectKey(object), (await client.get(fsmObjectPath(object), `read ${displayName(object)}`)) as KubeObject | undefined);
  }
  const steps: Step[] = [];
  try {
    for (const object of toApply) {
      const before = recorded.get(objectKey(object));
      options.progress?.(`${before ? 'update' : 'create'} ${displayName(object)}`);
      await serverSideApply(client, object, false);
      steps.push({ action: before ? 'update' : 'create', object, before });
    }
    for (const object of set.prune) {
      options.progress?.(`delete ${displayName(object)}`);
      await deleteFsmObject(client, object);
      steps.push({ action: 'delete', object, before: recorded.get(objectKey(object)) });
    }
    await verify(client, toApply, set.prune, options.commit);
    return { result: 'applied', done: steps.map(describe) };
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    options.progress?.(`failed: ${failure}; rolling back ${steps.length} step(s)`);
    const problems = await rollBack(client, steps);
    if (problems.length === 0) {
      return { result: 'rolled-back', done: steps.map(describe), message: `${failure}. Rolled back: the cluster is as it was before this apply.` };
    }
    return { result: 'failed', done: steps.map(describe), message: `${failure}. Rollback incomplete, the cluster needs attention: ${problems.join('; ')}` };
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
    const annotations = isObject(live?.['metadata']) && isObject(live['metadata']['annotations']) ? live['metadata']['annotations'] : {};
    if (annotations[COMMIT_ANNOTATION] !== commit) throw new Error(`verify: ${displayName(object)} does not carry commit ${commit} after apply`);
  }
  for (const object of pruned) {
    const live = await client.get(fsmObjectPath(object), `verify ${displayName(object)} is deleted`);
    if (live && !(isObject(live['metadata']) && live['metadata']['deletionTimestamp'])) throw new Error(`verify: ${displayName(object)} still exists after delete`);
  }
}

function describe(step: Step): string {
  return `${step.action} ${displayName(step.object)}`;
}
