import type { Severity } from '../core/finding.ts';
import { isObject, type JsonObject, type PathSegment } from '../core/json.ts';
import { objectNameProblem, labelValueProblem, qualifiedNameProblem } from '../core/names.ts';
import type { RuleCode } from '../core/rule-codes.ts';
import { literal, quote } from './describe.ts';
import { validateOpenApi } from './openapi.ts';
import { serverFieldsIn } from './server-fields.ts';
import type { SchemaViolationCode } from './violation.ts';

/** ValidateAnnotationsSize (k8s.io/apimachinery/pkg/api/validation/objectmeta.go): keys and values together, in bytes. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

const STRING = { type: 'string', nullable: true };
const TIME = { type: 'string', format: 'date-time', nullable: true };
const INT64 = { type: 'integer', format: 'int64', nullable: true };
const STRING_MAP = { type: 'object', nullable: true, additionalProperties: STRING };

/**
 * metav1.ObjectMeta as the API server decodes it (k8s.io/apimachinery/pkg/apis/meta/v1/types.go, JSON names,
 * case-sensitive). CRDs declare `metadata` as a bare object, so this is the schema a typo under metadata is
 * checked against. Every field may be null: Go's JSON decoder leaves a field unset for null.
 */
export const OBJECT_META_SCHEMA: JsonObject = {
  type: 'object',
  properties: {
    name: STRING,
    generateName: STRING,
    namespace: STRING,
    selfLink: STRING,
    uid: STRING,
    resourceVersion: STRING,
    generation: INT64,
    creationTimestamp: TIME,
    deletionTimestamp: TIME,
    deletionGracePeriodSeconds: INT64,
    labels: STRING_MAP,
    annotations: STRING_MAP,
    ownerReferences: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        required: ['apiVersion', 'kind', 'name', 'uid'],
        properties: { apiVersion: STRING, kind: STRING, name: STRING, uid: STRING, controller: { type: 'boolean', nullable: true }, blockOwnerDeletion: { type: 'boolean', nullable: true } },
      },
    },
    finalizers: { type: 'array', nullable: true, items: STRING },
    managedFields: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        properties: { manager: STRING, operation: STRING, apiVersion: STRING, time: TIME, fieldsType: STRING, fieldsV1: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, subresource: STRING },
      },
    },
  },
};

export interface MetadataViolation {
  code: SchemaViolationCode | Extract<RuleCode, 'metadata-invalid' | 'metadata-server-field'>;
  severity: Severity;
  path: PathSegment[];
  message: string;
}

/**
 * A manifest's `metadata` checked as kube-apiserver checks a custom resource's on create
 * (ValidateObjectMetaAccessor with NameIsDNSSubdomain, k8s.io/apimachinery/pkg/api/validation/objectmeta.go),
 * plus what a manifest in a repository should not hold. Paths start with `metadata`:
 * - types and unknown fields against OBJECT_META_SCHEMA (`schema-type`, `schema-unknown-field`, ...);
 * - `metadata-invalid` (error): generateName (NameIsDNSSubdomain, prefix), label keys and values
 *   (ValidateLabels), annotation keys (IsQualifiedName of the lowercased key) and their total size
 *   (256 KiB), finalizers (ValidateFinalizers), ownerReferences (ValidateOwnerReferences);
 * - `metadata-server-field`: fields the cluster sets (server-fields.ts).
 * The name and namespace rules, which decide whether the object is managed at all, are fsm/safety.ts's.
 */
export function validateObjectMeta(metadata: unknown): MetadataViolation[] {
  const out: MetadataViolation[] = validateOpenApi(OBJECT_META_SCHEMA, metadata, ['metadata']).map((v) => ({ ...v, severity: 'error', message: withQuoteHint(v.message) }));
  if (!isObject(metadata) || out.some((v) => v.code === 'schema-type' && v.path.length === 1)) return out;
  const invalid = (path: PathSegment[], message: string): void => {
    out.push({ code: 'metadata-invalid', severity: 'error', path: ['metadata', ...path], message });
  };
  const { generateName, labels, annotations, finalizers, ownerReferences } = metadata;
  if (typeof generateName === 'string' && generateName !== '') {
    const problem = objectNameProblem(generateName, true);
    if (problem) invalid(['generateName'], `generateName ${quote(generateName)} ${problem}`);
  }
  if (isObject(labels)) checkLabels(labels, invalid);
  if (isObject(annotations)) checkAnnotations(annotations, invalid);
  if (Array.isArray(finalizers)) checkFinalizers(finalizers, invalid);
  if (Array.isArray(ownerReferences)) checkOwnerReferences(ownerReferences, invalid);
  for (const { field, severity, message } of serverFieldsIn(metadata)) out.push({ code: 'metadata-server-field', severity, path: ['metadata', field], message });
  return out;
}

/** `version: 1.0` and `enabled: yes` are a number and a boolean to YAML (and to kubectl): a label or annotation value must be quoted. */
function withQuoteHint(message: string): string {
  return /^expected string, got (integer|number|boolean) /.test(message) ? `${message}: quote the value to make it a string` : message;
}

type Invalid = (path: PathSegment[], message: string) => void;

function checkLabels(labels: JsonObject, invalid: Invalid): void {
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) invalid(['labels', key], `label key ${quote(key)}: ${keyProblem}`);
    const valueProblem = typeof value === 'string' ? labelValueProblem(value) : undefined;
    if (valueProblem) invalid(['labels', key], `label value ${quote(value as string)}: ${valueProblem}`);
  }
}

function checkAnnotations(annotations: JsonObject, invalid: Invalid): void {
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    // The rule is a qualified name except that case does not matter (objectmeta.go lowercases the key).
    const problem = qualifiedNameProblem(key.toLowerCase());
    if (problem) invalid(['annotations', key], `annotation key ${quote(key)}: ${problem}`);
    size += Buffer.byteLength(key, 'utf8') + (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    invalid(['annotations'], `annotations are ${size.toLocaleString('en')} bytes (keys and values), over the API server's limit of ${TOTAL_ANNOTATION_SIZE_LIMIT.toLocaleString('en')} (256 KiB): move large data to spec or a ConfigMap`);
  }
}

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

function checkFinalizers(finalizers: unknown[], invalid: Invalid): void {
  finalizers.forEach((finalizer, i) => {
    const problem = typeof finalizer === 'string' ? qualifiedNameProblem(finalizer) : undefined;
    if (problem) invalid(['finalizers', i], `finalizer ${quote(finalizer as string)}: ${problem}`);
  });
  if (finalizers.includes(ORPHAN) && finalizers.includes(FOREGROUND)) {
    invalid(['finalizers'], `finalizers ${ORPHAN} and ${FOREGROUND} cannot both be set`);
  }
}

/** validateOwnerReference: a version, kind, name and uid; never an Event; at most one controller. */
function checkOwnerReferences(references: unknown[], invalid: Invalid): void {
  let controller: string | undefined;
  references.forEach((reference, i) => {
    if (!isObject(reference)) return;
    const { apiVersion, kind, name, uid } = reference;
    if (typeof apiVersion === 'string' && versionOf(apiVersion) === '') invalid(['ownerReferences', i, 'apiVersion'], `ownerReferences[${i}].apiVersion ${literal(apiVersion)}: version must not be empty`);
    for (const [field, value] of [['kind', kind], ['name', name], ['uid', uid]] as const) {
      if (value === '') invalid(['ownerReferences', i, field], `ownerReferences[${i}].${field} must not be empty`);
    }
    if (apiVersion === 'v1' && kind === 'Event') invalid(['ownerReferences', i], `ownerReferences[${i}]: /v1, Kind=Event is disallowed from being an owner`);
    if (reference['controller'] !== true) return;
    const current = `${String(kind)}/${String(name)}`;
    if (controller === undefined) controller = current;
    else invalid(['ownerReferences', i, 'controller'], `only one owner reference can have controller set to true; found it in references for ${controller} and ${current}`);
  });
}

/** The version of `group/version` or `version`, as schema.ParseGroupVersion reads it; '' when it does not parse. */
function versionOf(apiVersion: string): string {
  const parts = apiVersion.split('/');
  if (parts.length === 1) return parts[0]!;
  return parts.length === 2 ? parts[1]! : '';
}
