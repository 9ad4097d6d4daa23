import { beingDeleted } from '../../core/deletion.ts';
import { findingAt } from '../../core/findings.ts';
import { displayName, objectKey } from '../../core/kube.ts';
import { liveObjectsByKey } from '../../plan/live-objects.ts';
import type { Rule } from './rule.ts';

/**
 * A repository object whose live object is being deleted (a `deletionTimestamp`, finalizers holding it): the API
 * server takes writes to it and then removes it with them (Kubernetes API, "Finalizers"), so an apply would report
 * a change that is about to vanish, and an unchanged object is about to go missing. An error: apply once it is gone.
 */
export const terminatingRule: Rule = {
  name: 'terminating',
  check(context) {
    const live = liveObjectsByKey(context.live);
    return context.managed.flatMap((resource) => {
      const current = live.get(objectKey(resource.object));
      const deleting = current && beingDeleted(current);
      if (!deleting) return [];
      return [
        findingAt(resource, ['metadata', 'name'], 'error', 'object-terminating', `${displayName(resource.object)} is ${deleting} in the cluster: whatever is applied to it goes with it. Apply again once it is gone (the plan then creates it), or find out who deleted it`),
      ];
    });
  },
};
