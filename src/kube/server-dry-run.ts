import pLimit from 'p-limit';
import { isObject } from '../core/json.ts';
import { apiGroup, objectKey, type KubeObject } from '../core/kube.ts';
import type { DryRunOutcome, DryRunRejection } from '../live/live-state.ts';
import { kubeErrorKind } from './error-kind.ts';
import { serverSideApply } from './fsm-objects.ts';
import type { KubeApi } from './kube-client.ts';
import { KubeApiError } from './kube-errors.ts';

/**
 * Dry-runs every object, at most `concurrency` at a time; the outcomes are keyed by objectKey, in the
 * order of `objects`. A refusal of one object (see kubeErrorKind: invalid, unknown field, admission
 * denial, unserved apiVersion, missing namespace) is that object's outcome and the others go on; transient
 * failures are retried by the client, and what still fails (unreachable, forbidden, a persistent 503)
 * fails the whole run: no further dry run starts.
 */
export async function serverDryRun(client: KubeApi, objects: readonly KubeObject[], concurrency = 1): Promise<Map<string, DryRunOutcome>> {
  const limit = pLimit({ concurrency, rejectOnClear: true });
  const outcomes = objects.map((object) => limit(() => dryRunOne(client, object)));
  try {
    const settled = await Promise.all(outcomes);
    return new Map(objects.map((object, index) => [objectKey(object), settled[index]!]));
  } catch (error) {
    limit.clearQueue();
    // The ones already sent still settle; their failures are not the first one's news.
    await Promise.allSettled(outcomes);
    throw error;
  }
}

async function dryRunOne(client: KubeApi, object: KubeObject): Promise<DryRunOutcome> {
  try {
    return { ok: true, object: await serverSideApply(client, object, true) };
  } catch (error) {
    if (!(error instanceof KubeApiError) || kubeErrorKind(error) !== 'refusal') throw error;
    return { ok: false, ...(await rejection(client, object, error)) };
  }
}

/**
 * The refusal in the server's words. A 404 has no words worth showing ("404 page not found"), so it is
 * said here: the namespace does not exist (details.kind "namespaces"), or the cluster does not serve the
 * object's apiVersion (naming the versions of its group that it serves).
 */
async function rejection(client: KubeApi, object: KubeObject, error: KubeApiError): Promise<DryRunRejection> {
  const refused = { status: error.status, message: error.serverMessage, causes: error.causes };
  if (error.status !== 404) return refused;
  if (error.details.kind === 'namespaces') {
    const message = `the namespace "${error.details.name ?? ''}" does not exist in the cluster: create it first (fsm-gitops does not create namespaces)`;
    return { ...refused, message, causes: [{ field: 'metadata.namespace', reason: 'NamespaceNotFound', message }] };
  }
  const message = `the cluster does not serve ${object.kind} at ${object.apiVersion}${await servedVersions(client, apiGroup(object.apiVersion))}`;
  return { ...refused, message, causes: [{ field: 'apiVersion', reason: 'VersionNotServed', message }] };
}

/** `; it serves plugin.flomesh.io/v1alpha1` from the group's discovery document, or why not; '' if that cannot be read. */
async function servedVersions(client: KubeApi, group: string): Promise<string> {
  try {
    const discovery = await client.get(group === '' ? '/api' : `/apis/${group}`, `discover ${group || 'core'} API versions`);
    if (!discovery) return `: it serves no API group ${group} (is the CRD installed?)`;
    const versions = Array.isArray(discovery['versions']) ? discovery['versions'].filter(isObject) : [];
    const names = versions.map((v) => v['groupVersion']).filter((v): v is string => typeof v === 'string');
    return names.length > 0 ? `; it serves ${names.join(', ')}` : '';
  } catch {
    return '';
  }
}
