import type { Finding } from '../core/finding.ts';
import { findingInFile } from '../core/findings.ts';
import { displayName, labelOf, objectKey, type KubeObject } from '../core/kube.ts';
import { ENVIRONMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/ownership.ts';
import type { DesiredEnvironment } from '../desired/desired-state.ts';
import type { LiveState } from '../live/live-state.ts';

/** How many of the objects prune would have deleted a prune-withheld finding names. */
const NAMED = 3;

/**
 * What prune deletes: the live objects fsm-gitops created for this environment (ownedBy) that the repository no
 * longer names. An object the environment's files still name is kept even where a rule refuses its manifest (its
 * namespace, its apiVersion): the plan's error says what to fix, and a delete would not be what the change asked.
 * Nothing is deleted from an empty environment (a wrong path: environment-empty), nor while a manifest file cannot
 * be read (desired.unread: a syntax error, a link, a file too large): it may hold the objects. Then a
 * `prune-withheld` warning, on the first such file, names what prune would have deleted.
 */
export function pruneCandidates(desired: DesiredEnvironment, live: LiveState): { pruned: KubeObject[]; findings: Finding[] } {
  const { environment } = desired;
  if (!environment.prune || (desired.empty && desired.unread.length === 0)) return { pruned: [], findings: [] };
  const named = new Set(desired.resources.map((r) => objectKey(r.object)));
  const gone = live.pluginObjects.filter((o) => ownedBy(o, environment.name) && !named.has(objectKey(o)));
  const [unread] = desired.unread;
  if (unread === undefined) return { pruned: gone, findings: [] };
  if (gone.length === 0) return { pruned: [], findings: [] };
  const names = gone.slice(0, NAMED).map(displayName).join(', ') + (gone.length > NAMED ? `, and ${gone.length - NAMED} more` : '');
  const others = desired.unread.length > 1 ? ` (and ${desired.unread.length - 1} other file${desired.unread.length > 2 ? 's' : ''})` : '';
  const message = `prune is not planned while ${unread}${others} cannot be read: it may hold objects that are still wanted. ${gone.length} object${gone.length === 1 ? '' : 's'} fsm-gitops created for ${environment.name} ${gone.length === 1 ? 'is' : 'are'} not in the files read (${names}); once the file${others ? 's' : ''} can be read, the plan shows which of them prune deletes`;
  return { pruned: [], findings: [findingInFile(unread, 1, 1, 'warning', 'prune-withheld', message)] };
}

/** Only objects fsm-gitops created for this environment may ever be pruned. */
export function ownedBy(object: KubeObject, environment: string): boolean {
  return labelOf(object, MANAGED_BY_LABEL) === MANAGED_BY_VALUE && labelOf(object, ENVIRONMENT_LABEL) === environment;
}
