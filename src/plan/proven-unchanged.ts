import { deepEqual, getAt, getOwn, isObject, type JsonObject, type JsonValue, type PathSegment } from '../core/json.ts';
import { objectKey, type KubeObject } from '../core/kube.ts';
import { COMMIT_ANNOTATION, FIELD_MANAGER } from '../core/ownership.ts';
import { CrdSchemas, schemaAt, schemaChild } from '../fsm/crd-schemas.ts';
import type { LiveState } from '../live/live-state.ts';
import { liveObjectsByKey } from './live-objects.ts';
import { applyEntries } from './managed-fields.ts';

/** What fsm-gitops writes of an object and the managedFields record: metadata beyond these makes no proof. */
const TOP_LEVEL = new Set(['apiVersion', 'kind', 'metadata', 'spec']);
const METADATA = new Set(['name', 'namespace', 'labels', 'annotations']);
/** Stamped by apply (src/apply), never in the plan's objects; normalize.ts leaves it out of every diff. */
const ANNOTATIONS_PATH = ['metadata', 'annotations'];
const COMMIT_PATH = [...ANNOTATIONS_PATH, COMMIT_ANNOTATION];

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
  const ours = applyEntries(live, FIELD_MANAGER);
  const entry = ours[0];
  if (ours.length !== 1 || !entry || entry['apiVersion'] !== applied.apiVersion || !isObject(entry['fieldsV1'])) return false;
  const fields = entry['fieldsV1'];
  const owned = ownedLeafCount(fields, true);
  if (owned === undefined) return false;
  // What the apply sets (name and namespace only say which object: managedFields leaves them out). Each of
  // its leaves must be a distinct leaf fsm-gitops owns; the counts being equal, the two sets are then the same.
  const sets: [PathSegment[], JsonValue | undefined][] = [
    [['metadata', 'labels'], applied.metadata['labels']],
    [ANNOTATIONS_PATH, applied.metadata['annotations']],
    [['spec'], applied['spec']],
  ];
  let wanted = 0;
  for (const [path, value] of sets) {
    if (value === undefined) continue;
    const matched = matchedLeaves(value, { fields: fieldsAt(fields, path), schema: schemaAt(schema, path), live: getAt(live, path), commit: false, commitChild: path === ANNOTATIONS_PATH ? COMMIT_ANNOTATION : undefined });
    if (matched === undefined) return false;
    wanted += matched;
  }
  return wanted === owned - (isLeaf(fieldsAt(fields, COMMIT_PATH)) ? 1 : 0);
}

/**
 * How many leaves a FieldsV1 set holds: `{"f:spec":{".":{},"f:priority":{}}}` holds one, spec.priority; a field
 * with nothing under it but `.` is a leaf (the root never is). Undefined when it records list items (`k:`,
 * `v:`, `i:`): those are not compared here.
 */
function ownedLeafCount(fields: JsonObject, root = false): number | undefined {
  let count = 0;
  let children = 0;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key) || key === '.') continue;
    const child = fields[key];
    if (!key.startsWith('f:') || !isObject(child)) return undefined;
    const below = ownedLeafCount(child);
    if (below === undefined) return undefined;
    count += below;
    children++;
  }
  return children === 0 && !root ? 1 : count;
}

/** The FieldsV1 node of a field path (`f:` + each segment), undefined when the set does not record it. */
function fieldsAt(fields: JsonObject | undefined, path: readonly PathSegment[]): JsonObject | undefined {
  let node = fields;
  for (const segment of path) node = fieldsChild(node, segment);
  return node;
}

/** One step of fieldsAt. */
function fieldsChild(fields: JsonObject | undefined, segment: PathSegment): JsonObject | undefined {
  const child: JsonValue | undefined = fields ? getOwn(fields, `f:${segment}`) : undefined;
  return isObject(child) ? child : undefined;
}

/** A FieldsV1 node with nothing under it but `.`: a leaf of ownedLeafCount. */
function isLeaf(node: JsonObject | undefined): boolean {
  return node !== undefined && Object.keys(node).every((key) => key === '.');
}

/** Where matchedLeaves stands: the FieldsV1, schema and live nodes at the same path; whether that path is the commit annotation's, or which child's is. */
interface At {
  fields: JsonObject | undefined;
  schema: JsonObject | undefined;
  live: JsonValue | undefined;
  commit: boolean;
  commitChild: string | undefined;
}

/**
 * How many leaves `value` sets, as server-side apply records them (a map is a leaf when empty or atomic,
 * x-kubernetes-map-type; a list is one when atomic, a CRD list's default), each a leaf fsm-gitops owns and
 * equal to live's value. Undefined when a value is null, a list is keyed per item, a leaf differs from live's
 * or is not an owned leaf (the commit annotation never counts as one): then only the server can say.
 */
function matchedLeaves(value: JsonValue, at: At): number | undefined {
  if (value === null) return undefined;
  if (isObject(value) && Object.keys(value).length > 0 && at.schema?.['x-kubernetes-map-type'] !== 'atomic') {
    let count = 0;
    for (const key of Object.keys(value)) {
      const matched = matchedLeaves(value[key]!, {
        fields: fieldsChild(at.fields, key),
        schema: schemaChild(at.schema, key),
        live: isObject(at.live) ? getOwn(at.live, key) : undefined,
        commit: key === at.commitChild,
        commitChild: undefined,
      });
      if (matched === undefined) return undefined;
      count += matched;
    }
    return count;
  }
  if (Array.isArray(value) && at.schema?.['x-kubernetes-list-type'] !== undefined && at.schema['x-kubernetes-list-type'] !== 'atomic') return undefined;
  if (at.commit || !isLeaf(at.fields) || !deepEqual(value, at.live)) return undefined;
  return 1;
}
