import pLimit from 'p-limit';
import { isObject, type JsonObject, type JsonValue } from '../core/json.ts';
import { namespaceOf, type KubeObject } from '../core/kube.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import type { ChartUpgrade } from '../plan/plan-types.ts';
import { ResourceDiscovery } from '../kube/resource-discovery.ts';

/** The field manager helm writes a release's objects with (helm 3 and 4, client-side and server-side apply). */
export const HELM_FIELD_MANAGER = 'helm';
/** Owned fields named per object, at most. */
const FIELDS_NAMED = 3;
const READS_IN_FLIGHT = 8;

/**
 * The objects of a Helm release that someone other than helm changed at or after `since` (epoch ms), in
 * fields a rollback would write: a `helm rollback` then would write over that later change, which
 * fsm-gitops never does (DESIGN.md's safety rules; the objects' rollback, rollback.ts, leaves such a
 * change as it is too). Each object of `objects` (the manifests the rollback restores or removes) is read,
 * and its metadata.managedFields (Kubernetes API: server-side apply's field ownership, which the API server
 * keeps for every write, client-side ones included) are searched for an entry of another field manager,
 * stamped no earlier than the second `since` falls in, that owns a field the manifest sets. Fields only a
 * controller sets (status, the Deployment's revision annotation, a webhook's caBundle the chart leaves
 * empty) are not in the manifest, so a controller's routine writes do not count. An object that is gone, or
 * whose kind the API server does not serve, is skipped.
 * Returns one line per object: `Deployment fsm-system/fsm-controller: spec.replicas changed by sre`.
 * Throws the API error when an object cannot be read.
 */
export async function releaseChangedSince(client: KubeApi, objects: ChartUpgrade['objects'], releaseNamespace: string, since: number): Promise<string[]> {
  const discovery = new ResourceDiscovery(client);
  const limit = pLimit(READS_IN_FLIGHT);
  const lines = await Promise.all(
    objects.map(({ deployed, rendered }) =>
      limit(async () => {
        const manifest = (deployed ?? rendered)!;
        const path = await discovery.pathOf(manifest, releaseNamespace);
        if (!path) return undefined;
        const live = await client.get(path, `read ${manifest.kind} ${manifest.metadata.name}`);
        if (!live) return undefined;
        const changes = laterChanges(live, manifest, since);
        const scaled = changes.some((c) => c.fields.includes('spec.replicas')) ? undefined : scaledElsewhere(live, deployed, rendered);
        if (scaled) changes.push(scaled);
        if (changes.length === 0) return undefined;
        const namespace = namespaceOf(live as KubeObject);
        const fields = changes.flatMap((c) => c.fields);
        const shown = fields.slice(0, FIELDS_NAMED).join(', ') + (fields.length > FIELDS_NAMED ? ` and ${fields.length - FIELDS_NAMED} more` : '');
        return `${manifest.kind} ${namespace ? `${namespace}/` : ''}${manifest.metadata.name}: ${shown} changed by ${[...new Set(changes.map((c) => c.manager))].join(', ')}`;
      }),
    ),
  );
  return lines.filter((line): line is string => line !== undefined);
}

/** The managedFields entries of other managers stamped in or after the second `since` (epoch ms) falls in, and the manifest's fields each owns. */
export function laterChanges(live: JsonObject, manifest: KubeObject, since: number): { manager: string; fields: string[] }[] {
  const from = Math.floor(since / 1000) * 1000; // managedFields times are whole seconds
  const metadata = isObject(live['metadata']) ? live['metadata'] : {};
  const entries = Array.isArray(metadata['managedFields']) ? metadata['managedFields'] : [];
  const out: { manager: string; fields: string[] }[] = [];
  for (const entry of entries) {
    if (!isObject(entry) || entry['manager'] === HELM_FIELD_MANAGER || typeof entry['time'] !== 'string') continue;
    if (!(Date.parse(entry['time']) >= from) || !isObject(entry['fieldsV1'])) continue;
    const { ['f:status']: _status, ...owned } = entry['fieldsV1'];
    const fields = ownedIn(owned, manifest as unknown as JsonObject, '');
    if (fields.length > 0) out.push({ manager: String(entry['manager'] ?? 'an unnamed manager'), fields });
  }
  return out;
}

/**
 * A scale to a replica count that is neither the deployed revision's nor the upgrade's: someone else's. The
 * API server 1.20 records no field manager for a write through the `scale` subresource (`kubectl scale`, an
 * autoscaler), so managedFields cannot tell it; the values can.
 */
function scaledElsewhere(live: JsonObject, deployed: KubeObject | undefined, rendered: KubeObject | undefined): { manager: string; fields: string[] } | undefined {
  const replicas = (object: JsonObject | undefined): unknown => (object && isObject(object['spec']) ? object['spec']['replicas'] : undefined);
  const now = replicas(live);
  const before = replicas(deployed as JsonObject | undefined);
  const after = replicas(rendered as JsonObject | undefined);
  if (typeof now !== 'number' || typeof before !== 'number' || typeof after !== 'number' || now === before || now === after) return undefined;
  return { manager: `a scale to ${now} (the API server recorded no field manager for it)`, fields: ['spec.replicas'] };
}

/**
 * The paths of `manifest` that a fieldsV1 set owns (the structured-merge-diff encoding: `f:<field>`,
 * `k:<json key>` for a list item by its keys, `v:<json>` for a set member, `i:<index>`, `.` for the node itself).
 */
function ownedIn(owned: JsonObject, manifest: JsonValue | undefined, at: string): string[] {
  const found: string[] = [];
  for (const [key, below] of Object.entries(owned)) {
    if (key === '.') continue;
    const child = childOf(manifest, key);
    if (child === undefined) continue;
    const path = key.startsWith('f:') ? `${at}${at ? '.' : ''}${key.slice(2)}` : `${at}[${itemName(key)}]`;
    const deeper = isObject(below) ? Object.keys(below).filter((k) => k !== '.') : [];
    if (deeper.length === 0 || !(isObject(child.value) || Array.isArray(child.value))) found.push(path);
    else found.push(...ownedIn(below as JsonObject, child.value, path));
  }
  return found;
}

/** The part of `node` a fieldsV1 key names, or undefined when the manifest does not set it. */
function childOf(node: JsonValue | undefined, key: string): { value: JsonValue } | undefined {
  const rest = key.slice(2);
  if (key.startsWith('f:')) return isObject(node) && rest in node ? { value: node[rest]! } : undefined;
  if (!Array.isArray(node)) return undefined;
  if (key.startsWith('i:')) return node[Number(rest)] !== undefined ? { value: node[Number(rest)]! } : undefined;
  const wanted = parseKey(rest);
  if (wanted === undefined) return undefined;
  if (key.startsWith('v:')) {
    const member = node.find((item) => JSON.stringify(item) === JSON.stringify(wanted));
    return member === undefined ? undefined : { value: member };
  }
  if (key.startsWith('k:') && isObject(wanted)) {
    const item = node.find((i) => isObject(i) && Object.entries(wanted).every(([k, v]) => JSON.stringify(i[k]) === JSON.stringify(v)));
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

/** A list item as people name it: `name=fsm-controller` for `k:{"name":"fsm-controller"}`, the value for `v:`, the index for `i:`. */
function itemName(key: string): string {
  const parsed = key.startsWith('i:') ? undefined : parseKey(key.slice(2));
  if (isObject(parsed)) return Object.entries(parsed).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(',');
  return typeof parsed === 'string' ? parsed : key.slice(2);
}

function parseKey(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}
