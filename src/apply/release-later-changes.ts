import type { JsonObject } from '../core/json.ts';
import type { KubeObject } from '../core/kube.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import type { ChartUpgrade } from '../plan/plan-types.ts';
import { othersFields, scaledElsewhere } from '../kube/field-owners.ts';
import { ResourceDiscovery } from '../kube/resource-discovery.ts';

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
 * empty) are not in the manifest, so a controller's routine writes do not count. An object both revisions have
 * that is gone counts as deleted since (helm's rollback would create it again); one only the upgrade adds may
 * never have been created, and is skipped, as is a kind the API server does not serve.
 * Returns one line per object: `Deployment fsm-system/fsm-controller: spec.replicas changed by sre`.
 * Throws the API error when an object cannot be read.
 */
export async function releaseChangedSince(client: KubeApi, objects: ChartUpgrade['objects'], releaseNamespace: string, since: number): Promise<string[]> {
  const manifests = objects.map(({ deployed, rendered }) => (deployed ?? rendered)!);
  const found = await new ResourceDiscovery(client).readEach(manifests, releaseNamespace, READS_IN_FLIGHT);
  const lines = objects.map(({ deployed, rendered }, index) => {
    const manifest = manifests[index]!;
    const read = found[index];
    if (!read) return undefined;
    const { location, live } = read;
    const name = `${manifest.kind} ${location.namespace ? `${location.namespace}/` : ''}${manifest.metadata.name}`;
    // In both revisions, so there before the upgrade and kept by it: gone now, someone deleted it since.
    if (!live) return deployed && rendered ? `${name}: deleted since the upgrade started (both revisions have it)` : undefined;
    const changes = laterChanges(live, manifest, since);
    const scaled = changes.some((c) => c.fields.includes('spec.replicas')) ? undefined : scaledElsewhere(live, deployed as JsonObject | undefined, rendered as JsonObject | undefined);
    if (scaled) changes.push({ manager: scaled.manager, fields: scaled.fields.map((f) => f.path) });
    if (changes.length === 0) return undefined;
    const fields = changes.flatMap((c) => c.fields);
    const shown = fields.slice(0, FIELDS_NAMED).join(', ') + (fields.length > FIELDS_NAMED ? ` and ${fields.length - FIELDS_NAMED} more` : '');
    return `${name}: ${shown} changed by ${[...new Set(changes.map((c) => c.manager))].join(', ')}`;
  });
  return lines.filter((line): line is string => line !== undefined);
}

/** The managedFields entries of other managers stamped in or after the second `since` falls in, and the manifest's fields each owns (field-owners.ts othersFields). */
export function laterChanges(live: JsonObject, manifest: KubeObject, since: number): { manager: string; fields: string[] }[] {
  return othersFields(live, manifest as unknown as JsonObject, since).map(({ manager, fields }) => ({ manager, fields: fields.map((f) => f.path) }));
}
