import { KubeApiError, TransportError } from './kube-errors.ts';

/**
 * What a failed request means:
 * - `refusal`: the server refuses the object the request carries (invalid, unknown field, conflict, an
 *   admission webhook's denial, a resource type or namespace that does not exist). Asking again gets the
 *   same answer: never retried; a dry run reports it as a finding on the object.
 * - `transient`: throttled (429), a gateway or an overloaded server (502/503/504), a server failure that
 *   is not about the object, no answer at all. Retried with backoff.
 * - `fatal`: anything else, the credentials first (401, RBAC's 403): the whole run fails.
 */
export type KubeErrorKind = 'refusal' | 'transient' | 'fatal';

/**
 * Reasons a Status gives when the request's object is at fault (k8s.io/apimachinery metav1.StatusReason).
 * A 500 carrying one of these is about the object, not the server.
 */
const OBJECT_REASONS: ReadonlySet<string> = new Set(['Invalid', 'BadRequest', 'Conflict', 'AlreadyExists', 'NotAcceptable', 'UnsupportedMediaType', 'RequestEntityTooLarge']);

/**
 * Server-side apply's own refusals, which kube-apiserver (v1.20 and later) sends as a bare 500 Status with
 * no reason: "failed to create typed patch object: .spec.prioriy: field not declared in schema",
 * ".spec.priority: expected numeric (int or float), got string" (k8s.io/apiserver fieldmanager, from
 * sigs.k8s.io/structured-merge-diff's typed conversion).
 */
const TYPED_PATCH_FAILURE = /failed to create typed (?:patch|live) object|field not declared in schema/;

/** Classifies a request's failure (see KubeErrorKind); non-Kubernetes errors are fatal. */
export function kubeErrorKind(error: unknown): KubeErrorKind {
  if (error instanceof TransportError) return 'transient';
  if (!(error instanceof KubeApiError)) return 'fatal';
  const { status } = error;
  if (status === 401) return 'fatal';
  if (status === 403) return isAdmissionDenial(error) ? 'refusal' : 'fatal';
  if (status === 408 || status === 429) return 'transient';
  if (status >= 400 && status < 500) return 'refusal';
  if (status === 500 && isAboutTheObject(error)) return 'refusal';
  if (status >= 500) return 'transient';
  return 'fatal';
}

/** Worth another try: throttled, a server-side failure not about the object, or the network. Never a refusal. */
export function isRetryable(error: unknown): boolean {
  return kubeErrorKind(error) === 'transient';
}

/**
 * RBAC answers 403 with reason Forbidden ("... is forbidden: User "x" cannot patch resource ..."); an
 * admission webhook's denial is often a 403 too, but names the webhook or gives its own reason.
 */
function isAdmissionDenial(error: KubeApiError): boolean {
  return error.reason !== 'Forbidden' || /admission webhook .* denied the request/.test(error.serverMessage);
}

function isAboutTheObject(error: KubeApiError): boolean {
  return TYPED_PATCH_FAILURE.test(error.serverMessage) || OBJECT_REASONS.has(error.reason ?? '') || error.causes.some((c) => c.field);
}
