import { isObject, itemLabel, type JsonObject, type JsonValue } from '../core/json.ts';
import { managedFieldsOf } from '../core/kube.ts';

/** The field manager helm writes a release's objects with (helm 3 and 4, client-side and server-side apply). */
export const HELM_FIELD_MANAGER = 'helm';

/** A field of a manifest that another field manager owns in the live object: its path, the manifest's value and the live one. */
export interface OwnedField {
  /** `spec.template.spec.containers[name=fsm-controller].image`. */
  path: string;
  manifest: JsonValue;
  live: JsonValue | undefined;
}

/**
 * The managedFields entries of managers other than `except` stamped in or after the second `since` (epoch ms)
 * falls in, each with the fields of `manifest` it owns (Kubernetes API: metadata.managedFields, server-side
 * apply's field ownership, which the API server keeps for every write, client-side ones included). Status is
 * never counted, nor fields the manifest does not set: a controller's routine writes (a Deployment's revision
 * annotation, a webhook's caBundle a chart leaves empty) do not show.
 */
export function othersFields(live: JsonObject, manifest: JsonObject, since: number, except = HELM_FIELD_MANAGER): { manager: string; fields: OwnedField[] }[] {
  const from = Math.floor(since / 1000) * 1000; // managedFields times are whole seconds
  const out: { manager: string; fields: OwnedField[] }[] = [];
  for (const entry of managedFieldsOf(live)) {
    if (entry['manager'] === except || typeof entry['time'] !== 'string') continue;
    if (!(Date.parse(entry['time']) >= from) || !isObject(entry['fieldsV1'])) continue;
    const { ['f:status']: _status, ...owned } = entry['fieldsV1'];
    const fields = ownedIn(owned, manifest, live, '');
    if (fields.length > 0) out.push({ manager: String(entry['manager'] ?? 'an unnamed manager'), fields });
  }
  return out;
}

/** Whether a field manager other than `except` wrote anything but status (metadata.managedFields). */
export function writtenByOthers(live: JsonObject, except = HELM_FIELD_MANAGER): boolean {
  return managedFieldsOf(live).some((entry) => entry['manager'] !== except && isObject(entry['fieldsV1']) && Object.keys(entry['fieldsV1']).some((key) => key !== 'f:status'));
}

/**
 * A scale to a replica count that is neither `deployed`'s nor `rendered`'s: someone else's. The API server 1.20
 * records no field manager for a write through the `scale` subresource (`kubectl scale`, an autoscaler), so
 * managedFields cannot tell it; the values can.
 */
export function scaledElsewhere(live: JsonObject, deployed: JsonObject | undefined, rendered: JsonObject | undefined): { manager: string; fields: OwnedField[] } | undefined {
  const replicas = (object: JsonObject | undefined): JsonValue | undefined => (object && isObject(object['spec']) ? object['spec']['replicas'] : undefined);
  const now = replicas(live);
  const before = replicas(deployed);
  const after = replicas(rendered);
  if (typeof now !== 'number' || typeof before !== 'number' || typeof after !== 'number' || now === before || now === after) return undefined;
  return { manager: `a scale to ${now}, which the API server recorded under no field manager`, fields: [{ path: 'spec.replicas', manifest: rendered ? after : before, live: now }] };
}

/**
 * The fields of `manifest` that a fieldsV1 set owns (the structured-merge-diff encoding: `f:<field>`,
 * `k:<json key>` for a list item by its keys, `v:<json>` for a set member, `i:<index>`, `.` for the node itself),
 * with the value `live` has there.
 */
function ownedIn(owned: JsonObject, manifest: JsonValue | undefined, live: JsonValue | undefined, at: string): OwnedField[] {
  const found: OwnedField[] = [];
  for (const [key, below] of Object.entries(owned)) {
    if (key === '.') continue;
    const child = childOf(manifest, key);
    if (child === undefined) continue;
    const now = childOf(live, key)?.value;
    const path = key.startsWith('f:') ? `${at}${at ? '.' : ''}${key.slice(2)}` : `${at}[${itemName(key)}]`;
    const deeper = isObject(below) ? Object.keys(below).filter((k) => k !== '.') : [];
    if (deeper.length === 0 || !(isObject(child.value) || Array.isArray(child.value))) found.push({ path, manifest: child.value, live: now });
    else found.push(...ownedIn(below as JsonObject, child.value, now, path));
  }
  return found;
}

/** The part of `node` a fieldsV1 key names, or undefined when `node` does not have it. */
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
  if (isObject(parsed)) return itemLabel(parsed);
  return typeof parsed === 'string' ? parsed : key.slice(2);
}

function parseKey(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}
