import type { Severity } from '../core/finding.ts';
import type { JsonObject } from '../core/json.ts';

interface ServerField {
  severity: Severity;
  why: string;
}

const SET_BY_SERVER = 'the API server sets it and ignores the value in a manifest';

/**
 * ObjectMeta fields whose value is the cluster's, not the repository's: what the API server does with each in a
 * server-side apply (k8s.io/apiserver rest.BeforeCreate/BeforeUpdate, ValidateObjectMetaAccessorUpdate, the
 * field manager), and so whether a manifest that holds it is wrong (error) or only noisy (warning). A
 * manifest copied from `kubectl get -o yaml` holds them all.
 */
const SERVER_FIELDS: Readonly<Record<string, ServerField>> = {
  resourceVersion: {
    severity: 'error',
    why: 'it is one version of one object in one cluster: server-side apply takes it as a precondition, so the apply fails with 409 Conflict once the object changes, and a create that carries one is refused',
  },
  uid: { severity: 'error', why: 'it names one object in one cluster: an apply onto an object with another uid is refused (the uid is a precondition and immutable)' },
  managedFields: { severity: 'error', why: 'the API server keeps it: a server-side apply that sets managedFields is refused ("managed fields must be nil")' },
  deletionTimestamp: { severity: 'error', why: 'only the API server sets it, when the object is being deleted: a create drops it and an update that sets it is refused (the field is immutable)' },
  deletionGracePeriodSeconds: { severity: 'error', why: 'only the API server sets it, when the object is being deleted: a create drops it and an update that sets it is refused (the field is immutable)' },
  creationTimestamp: { severity: 'warning', why: SET_BY_SERVER },
  generation: { severity: 'warning', why: SET_BY_SERVER },
  selfLink: { severity: 'warning', why: `${SET_BY_SERVER} (Kubernetes 1.20 stopped setting it)` },
  ownerReferences: {
    severity: 'warning',
    why: "an owner is named by its uid, which belongs to one object in one cluster: the garbage collector deletes this object as soon as no object with that uid exists, so on another cluster, or once the owner is recreated, what fsm-gitops applies is deleted behind it",
  },
};

/** The server's fields `metadata` sets, each with how bad holding it in a repository is. `creationTimestamp: null` (what `kubectl create --dry-run -o yaml` writes) is not set. */
export function serverFieldsIn(metadata: JsonObject): { field: string; severity: Severity; message: string }[] {
  return Object.keys(metadata)
    .filter((field) => Object.hasOwn(SERVER_FIELDS, field) && metadata[field] !== null)
    .map((field) => {
      const { severity, why } = SERVER_FIELDS[field]!;
      return { field, severity, message: `metadata.${field} does not belong in a repository manifest: ${why}. Remove it` };
    });
}
