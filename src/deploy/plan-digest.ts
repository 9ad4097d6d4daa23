import { createHash } from 'node:crypto';
import type { EnvironmentPlan } from '../plan/plan-types.ts';

/**
 * A digest of what a plan shows: per changed object its identity, action and field changes (an update),
 * or its whole result (a create). The review records it; `/fsm apply` plans again under the Lease and
 * applies only when the digest is the same, so what is applied is what people approved. Unchanged objects,
 * and fields of an object the plan does not change, do not count.
 */
export function planDigest(plan: EnvironmentPlan): string {
  const shown = plan.changes
    .filter((c) => c.action !== 'unchanged')
    .map((c) => [c.action, c.apiVersion, c.kind, c.namespace ?? '', c.name, c.action === 'update' ? c.fields : c.action === 'create' ? (c.after ?? null) : null]);
  return createHash('sha256').update(JSON.stringify(shown)).digest('hex').slice(0, 32);
}
