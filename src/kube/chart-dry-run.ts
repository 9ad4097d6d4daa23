import pLimit from 'p-limit';
import { deepEqual, isObject, type JsonObject, type JsonValue } from '../core/json.ts';
import type { KubeObject } from '../core/kube.ts';
import type { DryRunRejection } from '../live/live-state.ts';
import { kubeErrorKind } from './error-kind.ts';
import type { KubeApi } from './kube-client.ts';
import { KubeApiError } from './kube-errors.ts';
import { ResourceDiscovery } from './resource-discovery.ts';

/** One chart object as an upgrade writes it: the release's stored manifest, the new render, and the live object. */
export interface ChartWrite {
  deployed?: KubeObject | undefined;
  rendered: KubeObject;
  live?: JsonObject | undefined;
}

const MERGE_PATCH = 'application/merge-patch+json';

/**
 * The API server's verdict on each chart object as the upgrade would write it, nothing stored (`dryRun=All`,
 * Kubernetes API "Dry-run": validation and admission run, persistence does not). helm's `upgrade
 * --dry-run=server` sends no object (it renders with `lookup` only), so a value the API server refuses (an
 * invalid quantity, a quota) passed the plan and failed the apply. An object the cluster has is patched with a
 * JSON merge patch (RFC 7386) from its stored manifest to the render: changed and added fields, removed map
 * keys as null, lists whole; a new one is created (POST). Unchanged objects and kinds the server does not serve
 * are not sent. Returns, in the order given, the refusal or undefined; throws what is not a refusal of the
 * object (unreachable, RBAC's 403), after the retries the client makes.
 */
export async function dryRunChartWrites(client: KubeApi, writes: readonly ChartWrite[], namespace: string): Promise<(DryRunRejection | undefined)[]> {
  const discovery = new ResourceDiscovery(client);
  const limit = pLimit(client.concurrency ?? 8);
  return Promise.all(
    writes.map((write) =>
      limit(async () => {
        if (write.live && write.deployed && deepEqual(write.deployed, write.rendered)) return undefined;
        const path = await discovery.pathOf(write.rendered, namespace);
        if (path === undefined) return undefined;
        const what = `dry-run ${write.rendered.kind} ${write.rendered.metadata.name} as the chart renders it`;
        try {
          if (write.live) {
            const patch = mergePatch((write.deployed ?? {}) as unknown as JsonValue, write.rendered as unknown as JsonValue);
            await client.request({ method: 'PATCH', path, query: { dryRun: 'All' }, contentType: MERGE_PATCH, body: patch, what });
          } else {
            await client.request({ method: 'POST', path: path.slice(0, path.lastIndexOf('/')), query: { dryRun: 'All' }, body: withNamespace(write.rendered, path), what });
          }
          return undefined;
        } catch (error) {
          if (!(error instanceof KubeApiError) || kubeErrorKind(error) !== 'refusal') throw error;
          return { status: error.status, message: error.serverMessage, causes: error.causes };
        }
      }),
    ),
  );
}

/** RFC 7386's patch that turns `from` into `to`: what differs, keys `to` drops as null; arrays and scalars whole. */
export function mergePatch(from: JsonValue, to: JsonValue): JsonValue {
  if (!isObject(from) || !isObject(to)) return to;
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    if (!(key in from)) patch[key] = value;
    else if (!deepEqual(from[key], value)) patch[key] = mergePatch(from[key]!, value);
  }
  return patch;
}

/** A namespaced object created in the namespace its path names (a chart's objects often leave it to the release). */
function withNamespace(object: KubeObject, path: string): KubeObject {
  const namespace = /\/namespaces\/([^/]+)\//.exec(path)?.[1];
  if (!namespace || object.metadata.namespace) return object;
  return { ...object, metadata: { ...object.metadata, namespace: decodeURIComponent(namespace) } };
}
