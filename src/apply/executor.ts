import pLimit, { type LimitFunction } from 'p-limit';
import { isObject } from '../core/json.ts';
import { displayName, objectKey, type KubeObject } from '../core/kube.ts';
import { COMMIT_ANNOTATION } from '../core/ownership.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import { fsmObjectPath } from '../kube/fsm-objects.ts';
import { KubeApiError } from '../kube/kube-errors.ts';
import type { ApplySet } from '../plan/apply-set.ts';
import { carriesCommit } from './commit-annotation.ts';
import { writeConcurrency } from './concurrency.ts';
import { applyIfOurs, pruneIfOurs, WriteRefusedError } from './guarded-writes.ts';
import { resourceVersionOf } from './lease-object.ts';
import { LeaseLostError } from './lease-renewal.ts';
import { allOrStop, levels } from './levels.ts';
import { pruneRefusal, writeRefusal } from './ownership-check.ts';
import { rollBack, type Step } from './rollback.ts';

/** How a failed apply's message says the rollback ended (README, "When something fails"). */
export const ROLLED_BACK = 'Rolled back: the cluster is as it was before this apply';
export const ROLLBACK_INCOMPLETE = 'Rollback incomplete, the cluster needs attention';

export interface ExecuteOptions {
  commit: string;
  /** The environment applied: only objects carrying its labels are written over or pruned (ownership-check.ts). */
  environment: string;
  /** Keys (objectKey) of the objects whose plan says create or update; the others are not touched. */
  changed: ReadonlySet<string>;
  /** The Lease's fence (HeldLock.fence): throws LeaseLostError. Runs before every write attempt. */
  fence?: () => void;
  /** The Lease's confirm (HeldLock.confirm): after the last write, throws LeaseLostError if the Lease was lost meanwhile. */
  confirm?: () => Promise<void>;
  /** The client a rollback writes with: the command's deadline may be what failed, and undoing still needs time. */
  rollbackClient?: () => KubeApi;
  progress?(message: string): void;
  /** The most writes in flight at once (default: the client's bound, FSM_GITOPS_KUBE_CONCURRENCY; concurrency.ts). */
  concurrency?: number;
  /** Once aborted (an interrupted apply), no further write starts: those in flight finish, and what was written is rolled back. */
  signal?: AbortSignal | undefined;
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
  /** The Lease was lost (it stopped writing then): another apply may have taken it over and run since. */
  leaseLost?: true;
}

/**
 * Applies an environment's objects in dependency order (server-side apply, field manager fsm-gitops),
 * then prunes in reverse order; within one level (MeshConfig, Plugins, PluginChains, PluginConfigs) up to
 * writeConcurrency() writes (the client's bound) are in flight at once. One request per object when nothing fails: "before" is
 * the object as the plan read it (`set.live`; without it each object is read first), each write is
 * conditional on that read (guarded-writes.ts: its resourceVersion, or for a create that there is none), and
 * the write's answer is "after", checked to carry the commit. An object that is not this environment's to
 * write or prune stops the apply before its first write, and each write is judged again when the server
 * says the object changed since. On the first failure no further write starts; those in flight finish, and
 * everything written is undone (src/apply/rollback.ts: never over someone else's later write), saying what
 * could not be. When the Lease is lost it stops writing and does not roll back: another apply may be
 * writing. Never throws once a write was made: the result tells what happened.
 */
export async function executeApply(client: KubeApi, set: ApplySet, options: ExecuteOptions): Promise<ExecuteResult> {
  const toApply = set.apply.filter((o) => options.changed.has(objectKey(o))).map((o) => annotated(o, options.commit));
  const limit = pLimit({ concurrency: writeConcurrency(options.concurrency ?? client.concurrency), rejectOnClear: true });
  const recorded = await recordBefore(client, [...toApply, ...set.prune], set.live, limit);
  const refusals = [
    ...toApply.flatMap((o) => writeRefusal(o, recorded.get(objectKey(o)), options.environment) ?? []),
    ...set.prune.flatMap((o) => pruneRefusal(o, recorded.get(objectKey(o)), options.environment) ?? []),
  ];
  if (refusals.length > 0) return { result: 'refused', done: [], uncertain: [], notUndone: [], message: `nothing written: ${refusals.join('; ')}` };
  const steps = new StepLog();
  const fence = options.fence;
  const stepOf = (object: KubeObject, action: Step['action']): Step => ({ action, object, before: recorded.get(objectKey(object)), after: undefined });
  try {
    for (const level of levels(toApply)) {
      await allOrStop(level, limit, async (object) => {
        options.signal?.throwIfAborted();
        const step = stepOf(object, 'update');
        options.progress?.(`${step.before ? 'update' : 'create'} ${displayName(object)}`);
        const answer = await write(steps, step, () => applyIfOurs(client, step, options.environment, options.commit, fence), fence);
        if (!carriesCommit(answer, options.commit)) throw new Error(`verify: ${displayName(object)} does not carry commit ${options.commit} after apply`);
      });
    }
    for (const level of levels(set.prune)) {
      await allOrStop(level, limit, async (object) => {
        options.signal?.throwIfAborted();
        const step = stepOf(object, 'delete');
        options.progress?.(`delete ${displayName(object)}`);
        await write(steps, step, async () => (await pruneIfOurs(client, step, options.environment, fence), undefined), fence);
      });
    }
    // A Lease deleted by hand after the last check lets another apply in at once: the writes may have interleaved.
    await options.confirm?.();
    return { result: 'applied', done: steps.all().map(describe), uncertain: [], notUndone: [] };
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    const done = steps.all().filter((s) => !s.uncertain).map(describe);
    const uncertain = steps.all().filter((s) => s.uncertain).map(describe);
    if (error instanceof LeaseLostError) {
      return { result: 'failed', done, uncertain, notUndone: [], leaseLost: true, message: `${failure}. Not rolled back: another apply may be changing the environment now. Run a plan to see where it stands` };
    }
    options.progress?.(`failed: ${failure}; rolling back ${steps.all().length} step(s)`);
    const { problems, lostLease } = await rollBack(options.rollbackClient?.() ?? client, steps.all(), { commit: options.commit, ...(fence ? { guard: fence } : {}) });
    if (lostLease) {
      return { result: 'failed', done, uncertain, notUndone: problems, leaseLost: true, message: `${failure}. Rolling back, ${lostLease.message}. Not rolled back further: another apply may be changing the environment now. Run a plan to see where it stands` };
    }
    if (problems.length === 0) {
      return { result: 'rolled-back', done, uncertain, notUndone: [], message: `${failure}. ${ROLLED_BACK}.` };
    }
    return { result: 'failed', done, uncertain, notUndone: problems, message: `${failure}. ${ROLLBACK_INCOMPLETE}: ${firstProblems(problems)}` };
  }
}

/** Problems named in a message, at most; `notUndone` lists them all, one line each. */
const PROBLEMS_IN_MESSAGE = 3;

/** `a; b; c; and 168 more`: a message stays readable when hundreds of steps were not undone (notUndone has them all). */
function firstProblems(problems: readonly string[]): string {
  if (problems.length <= PROBLEMS_IN_MESSAGE) return problems.join('; ');
  return `${problems.slice(0, PROBLEMS_IN_MESSAGE).join('; ')}; and ${problems.length - PROBLEMS_IN_MESSAGE} more`;
}

/**
 * The object each write will replace or delete, by objectKey: the plan's read where it has one in the same
 * apiVersion (absent from `live`: the plan found none), else read now.
 */
async function recordBefore(client: KubeApi, objects: readonly KubeObject[], live: ApplySet['live'], limit: LimitFunction): Promise<Map<string, KubeObject | undefined>> {
  const read = (object: KubeObject): Promise<KubeObject | undefined> => {
    const seen = live?.get(objectKey(object));
    if (live && (!seen || seen.apiVersion === object.apiVersion)) return Promise.resolve(seen);
    return limit(async () => (await client.get(fsmObjectPath(object), `read ${displayName(object)}`)) as KubeObject | undefined);
  };
  const befores = await Promise.all(objects.map(read));
  return new Map(objects.map((object, index) => [objectKey(object), befores[index]]));
}

/** The steps taken, in the order their writes started (the plan's order), however the writes finished. */
class StepLog {
  private readonly slots: (Step | undefined)[] = [];

  /** Reserves a place for a write that starts now: where to record its step. */
  start(): number {
    return this.slots.push(undefined) - 1;
  }

  record(at: number, step: Step): void {
    this.slots[at] = step;
  }

  all(): Step[] {
    return this.slots.filter((s): s is Step => s !== undefined);
  }
}

/**
 * Runs one write and records its step. A refusal (4xx, or fsm-gitops's own ownership check) or a fence
 * that stopped it before the first attempt wrote nothing; any other failure (5xx after retries, no answer)
 * may have written: the step is kept as uncertain, for the rollback to settle by reading. Returns the
 * write's answer.
 */
async function write<T extends KubeObject | undefined>(steps: StepLog, step: Step, run: () => Promise<T>, fence: (() => void) | undefined): Promise<T> {
  fence?.(); // refused here, nothing was sent
  const at = steps.start();
  try {
    const answer = await run();
    step.after = answer ? resourceVersionOf(answer) : undefined;
    steps.record(at, step);
    return answer;
  } catch (error) {
    const wroteNothing = (error instanceof KubeApiError && error.status < 500) || error instanceof WriteRefusedError;
    if (!wroteNothing) steps.record(at, { ...step, after: undefined, uncertain: true });
    throw error;
  }
}

function annotated(object: KubeObject, commit: string): KubeObject {
  const copy = structuredClone(object);
  const annotations = isObject(copy.metadata['annotations']) ? copy.metadata['annotations'] : {};
  copy.metadata['annotations'] = { ...annotations, [COMMIT_ANNOTATION]: commit };
  return copy;
}

function describe(step: Step): string {
  return `${step.action} ${displayName(step.object)}`;
}
