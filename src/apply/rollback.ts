import { displayName, type KubeObject } from '../core/kube.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import { deleteFsmObject, fsmObjectPath } from '../kube/fsm-objects.ts';

export interface Step {
  action: 'create' | 'update' | 'delete';
  object: KubeObject;
  /** The object as it was before the step (absent for a create). */
  before: KubeObject | undefined;
}

/** Undoes steps newest first: deletes what was created, puts back what was updated or deleted. Returns what could not be undone. */
export async function rollBack(client: KubeApi, steps: readonly Step[]): Promise<string[]> {
  const problems: string[] = [];
  for (const step of [...steps].reverse()) {
    try {
      if (step.action === 'create') await deleteFsmObject(client, step.object);
      else if (step.before && step.action === 'update') await restore(client, step.before);
      else if (step.before && step.action === 'delete') await recreate(client, step.before);
    } catch (error) {
      problems.push(`could not undo ${step.action} ${displayName(step.object)}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** Puts the recorded object back as it was, over whatever is there now (custom resources take no unconditional update). */
async function restore(client: KubeApi, before: KubeObject): Promise<void> {
  const object = withoutServerFields(before, ['resourceVersion', 'managedFields']);
  const path = fsmObjectPath(object);
  const current = await client.get(path, `read ${displayName(object)}`);
  if (!current) return recreate(client, before);
  object.metadata['resourceVersion'] = (current['metadata'] as { resourceVersion?: string }).resourceVersion ?? '';
  await client.request({ method: 'PUT', path, body: object, what: `restore ${displayName(object)}` });
}

async function recreate(client: KubeApi, before: KubeObject): Promise<void> {
  const object = withoutServerFields(before, ['resourceVersion', 'managedFields', 'uid', 'creationTimestamp', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds']);
  const path = fsmObjectPath(object);
  await client.request({ method: 'POST', path: path.slice(0, path.lastIndexOf('/')), body: object, what: `recreate ${displayName(object)}` });
}

function withoutServerFields(object: KubeObject, fields: string[]): KubeObject {
  const { status: _status, ...copy } = structuredClone(object);
  for (const field of fields) delete copy.metadata[field];
  return copy;
}
