import { deepEqual, getAt, isObject, type JsonObject, type JsonValue, type PathSegment } from '../core/json.ts';
import { objectKey, type KubeObject } from '../core/kube.ts';
import { COMMIT_ANNOTATION, FIELD_MANAGER } from '../core/ownership.ts';
import { CrdSchemas, schemaAt } from '../fsm/crd-schemas.ts';
import type { LiveState } from '../live/live-state.ts';
import { liveObjectsByKey } from './live-objects.ts';

/** What fsm-gitops writes of an object and the managedFields record: metadata beyond these makes no proof. */
const TOP_LEVEL = new Set(['apiVersion', 'kind', 'metadata', 'spec']);
const METADATA = new Set(['name', 'namespace', 'labels', 'annotations']);
/** Stamped by apply (src/apply), never in the plan's objects; normalize.ts leaves it out of every diff. */
const COMMIT_PATH = JSON.stringify(['metadata', 'annotations', COMMIT_ANNOTATION]);

/**
 * The objects of `objects` (as the plan would apply them) whose server-side dry run the plan needs: all but
 * those it can prove the apply leaves as they are (provenUnchanged). Keeps the order of `objects`.
 */
export function dryRunNeeded(objects: readonly KubeObject[], live: LiveState): KubeObject[] {
  const liveByKey = liveObjectsByKey(live);
  const schemas = new CrdSchemas(live.crds, () => '');
  return objects.filter((object) => {
    const lookup = schemas.lookup(object.apiVersion, object.kind);
    return !(lookup.ok && provenUnchanged(object, liveByKey.get(objectKey(object)), lookup.schema));
  });
}

/**
 * Whether server-side applying `applied` as field manager fsm-gitops onto `live` provably changes nothing,
 * so the server need not be asked: the fields `applied` sets are exactly the fields fsm-gitops's Apply entry
 * in live's managedFields owns (the commit annotation aside), at the same apiVersion, and each equals its
 * live value. Server-side apply then neither sets a value nor removes a field fsm-gitops gave up (Kubernetes
 * docs, "Server-Side Apply": field management). Everything else is left to the dry run, the authority on
 * new objects, changed fields, defaults and admission: list items keyed by the schema (list-type map or set,
 * which FieldsV1 records per item), null values, metadata other than labels and annotations, another
 * apiVersion than live's, or more than one Apply entry of fsm-gitops.
 */
export function provenUnchanged(applied: KubeObject, live: KubeObject | undefined, schema: JsonObject): boolean {
  if (!live || live.apiVersion !== applied.apiVersion) return false;
  if (!Object.keys(applied).every((key) => TOP_LEVEL.has(key)) || !Object.keys(applied.metadata).every((key) => METADATA.has(key))) return false;
  const entries = Array.isArray(live.metadata['managedFields']) ? live.metadata['managedFields'].filter(isObject) : [];
  const ours = entries.filter((e) => e['manager'] === FIELD_MANAGER && e['operation'] === 'Apply' && !e['subresource']);
  const entry = ours[0];
  if (ours.length !== 1 || !entry || entry['apiVersion'] !== applied.apiVersion || !isObject(entry['fieldsV1'])) return false;
  const owned = ownedLeaves(entry['fieldsV1'], []);
  if (!owned) return false;
  owned.delete(COMMIT_PATH);
  // What the apply sets (name and namespace only say which object: managedFields leaves them out).
  const fields: [PathSegment[], JsonValue | undefined][] = [
    [['metadata', 'labels'], applied.metadata['labels']],
    [['metadata', 'annotations'], applied.metadata['annotations']],
    [['spec'], applied['spec']],
  ];
  const wanted: string[] = [];
  for (const [path, value] of fields) {
    if (value !== undefined && !appliedLeaves(value, path, schema, live, wanted)) return false;
  }
  return wanted.length === owned.size && wanted.every((path) => owned.has(path));
}

/**
 * The leaf paths (JSON of the path) a FieldsV1 set holds: `{"f:spec":{".":{},"f:priority":{}}}` holds
 * spec.priority; a field with nothing under it but `.` is a leaf. Undefined when it records list items
 * (`k:`, `v:`, `i:`): those are not compared here.
 */
function ownedLeaves(fields: JsonObject, path: string[], into = new Set<string>()): Set<string> | undefined {
  const children = Object.entries(fields).filter(([key]) => key !== '.');
  if (children.length === 0 && path.length > 0) into.add(JSON.stringify(path));
  for (const [key, child] of children) {
    if (!key.startsWith('f:') || !isObject(child)) return undefined;
    if (!ownedLeaves(child, [...path, key.slice(2)], into)) return undefined;
  }
  return into;
}

/**
 * Adds the leaf paths `value` sets to `into`, as server-side apply records them: a map is a leaf when empty or
 * atomic (x-kubernetes-map-type), a list is one when atomic (a CRD list's default). False when a value is
 * null, a list is keyed per item, or a leaf differs from live's value: then only the server can say.
 */
function appliedLeaves(value: JsonValue, path: PathSegment[], schema: JsonObject, live: KubeObject, into: string[]): boolean {
  if (value === null) return false;
  const node = schemaAt(schema, path);
  if (isObject(value) && Object.keys(value).length > 0 && node?.['x-kubernetes-map-type'] !== 'atomic') {
    return Object.entries(value).every(([key, child]) => appliedLeaves(child, [...path, key], schema, live, into));
  }
  if (Array.isArray(value) && node?.['x-kubernetes-list-type'] !== undefined && node['x-kubernetes-list-type'] !== 'atomic') return false;
  if (!deepEqual(value, getAt(live, path))) return false;
  into.push(JSON.stringify(path));
  return true;
}
