import { parseAllDocuments } from 'yaml';
import { deepEqual, isObject, type JsonObject } from '../core/json.ts';
import { isKubeObject, namespaceOf, type KubeObject } from '../core/kube.ts';
import { withoutRenderNoise } from '../fsm/render-noise.ts';
import type { Redactor } from '../redact/redactor.ts';
import { fieldChanges } from './field-changes.ts';
import type { ResourceChange, Workload } from './plan-types.ts';

/** Kinds whose pods roll when their pod template (`spec.template`) changes (Kubernetes workload controllers). */
const ROLLING_KINDS: ReadonlySet<string> = new Set(['Deployment', 'DaemonSet', 'StatefulSet']);
/** A rendered manifest larger than this (characters) is refused rather than parsed: FSM's chart renders ~0.5 MB. */
export const MAX_MANIFEST_CHARS = 16 * 1024 * 1024;

/** A manifest could not be read as Kubernetes objects; the message never quotes it. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/**
 * The objects of a Helm manifest (multi-document YAML, as `helm template` and the release's `manifest` hold
 * it), keyed by kind/namespace/name. Parsed with the `yaml` package (YAML 1.2 core schema, as Go's yaml.v3
 * reads it near enough): js-yaml refuses the flow sequences FSM's chart renders (`args: [ ... ]` with the
 * closing bracket less indented). Empty documents (a template that rendered nothing) are skipped.
 */
export function parseManifest(text: string, what: string): Map<string, KubeObject> {
  if (text.length > MAX_MANIFEST_CHARS) throw new ManifestError(`${what} is ${text.length} characters, over the ${MAX_MANIFEST_CHARS} a manifest may be`);
  const objects = new Map<string, KubeObject>();
  for (const document of parseAllDocuments(text, { prettyErrors: false })) {
    if (document.errors.length > 0) throw new ManifestError(`${what} is not valid YAML (line ${(document.errors[0]?.linePos?.[0]?.line ?? 0)})`);
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value as JsonObject)) throw new ManifestError(`${what} holds a document that is not a Kubernetes object (apiVersion, kind, metadata.name)`);
    const object = value as KubeObject;
    objects.set(releaseKey(object), object);
  }
  return objects;
}

/** helm-diff's identity of an object: kind, namespace and name (an apiVersion move is an update, not a replace). */
function releaseKey(object: KubeObject): string {
  return `${object.kind}/${namespaceOf(object) ?? ''}/${object.metadata.name}`;
}

/**
 * Per object, what a chart upgrade changes, the way helm-diff shows it: the release's stored manifest against
 * the newly rendered one, one change per created, updated or deleted object (unchanged ones are left out),
 * values redacted by `redactor` (a Secret's data and stringData wholly, secret-paths.ts), the chart's random
 * values shown as such (fsm/render-noise.ts). `rollouts`: the
 * Deployments, DaemonSets and StatefulSets whose pod template changes, whose pods the upgrade replaces.
 */
export function releaseChanges(deployed: Map<string, KubeObject>, rendered: Map<string, KubeObject>, redactor: Redactor, file: string): { changes: ResourceChange[]; rollouts: Workload[] } {
  const changes: ResourceChange[] = [];
  const rollouts: Workload[] = [];
  for (const key of [...new Set([...deployed.keys(), ...rendered.keys()])].sort()) {
    const before = deployed.get(key);
    const after = rendered.get(key);
    if (before && after && deepEqual(before, after)) continue;
    const identity = (after ?? before)!;
    redactor.learn(identity.kind, before);
    redactor.learn(identity.kind, after);
    const [shownBefore, shownAfter] = redactor.pair(identity.kind, before as JsonObject | undefined, (after && withoutRenderNoise(after)) as JsonObject | undefined);
    const change: ResourceChange = {
      action: !before ? 'create' : !after ? 'delete' : 'update',
      kind: identity.kind,
      apiVersion: identity.apiVersion,
      name: identity.metadata.name,
      file,
      fields: before && after ? fieldChanges(shownBefore, shownAfter) : [],
    };
    const namespace = namespaceOf(identity);
    if (namespace) change.namespace = namespace;
    if (shownBefore) change.before = shownBefore;
    if (shownAfter) change.after = shownAfter;
    if (before && after && ROLLING_KINDS.has(identity.kind) && !deepEqual(podTemplate(before), podTemplate(after))) {
      change.rollout = true;
      rollouts.push({ kind: identity.kind, namespace: namespace ?? '', name: identity.metadata.name });
    }
    changes.push(change);
  }
  return { changes, rollouts };
}

function podTemplate(object: KubeObject): unknown {
  const spec = object['spec'];
  return isObject(spec) ? spec['template'] : undefined;
}
