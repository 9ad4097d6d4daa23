import type { LimitFunction } from 'p-limit';
import type { KubeObject } from '../core/kube.ts';
import { applyOrder, fsmKindOf } from '../fsm/kinds.ts';
import { LeaseLostError } from './lease-renewal.ts';

/**
 * Runs `run` for every object, at most `limit`'s bound at once. On the first failure it starts no more,
 * waits for those in flight, and throws: the LeaseLostError if any run lost the Lease (nothing may be
 * rolled back then), else the first failure.
 */
export async function allOrStop(objects: readonly KubeObject[], limit: LimitFunction, run: (object: KubeObject) => Promise<void>): Promise<void> {
  const failures: unknown[] = [];
  const tasks = objects.map((object) =>
    limit(async () => {
      try {
        await run(object);
      } catch (error) {
        failures.push(error);
        limit.clearQueue(); // the tasks not started reject with an AbortError: they wrote nothing
      }
    }),
  );
  await Promise.allSettled(tasks);
  if (failures.length > 0) throw failures.find((f) => f instanceof LeaseLostError) ?? failures[0];
}

/**
 * The objects split into dependency levels: runs of consecutive objects of one kind rank (FSM_KINDS order:
 * MeshConfig, Plugin, PluginChain, PluginConfig; ApplySet holds them sorted, prunes in reverse). PluginChains
 * and PluginConfigs name Plugins (spec.chains[].plugins, spec.plugin), so each level waits for the one
 * before; objects of one level name none of each other and may be written together.
 */
export function levels(objects: readonly KubeObject[]): KubeObject[][] {
  const groups: KubeObject[][] = [];
  let rank: number | undefined;
  for (const object of objects) {
    const next = applyOrder(fsmKindOf(object)?.kind ?? 'PluginConfig');
    if (next !== rank) groups.push([]);
    groups[groups.length - 1]!.push(object);
    rank = next;
  }
  return groups;
}
