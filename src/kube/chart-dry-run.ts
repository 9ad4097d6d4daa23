import pLimit from 'p-limit';
import { deepEqual, isObject, type JsonObject, type JsonValue } from '../core/json.ts';
import { apiGroup, type KubeObject } from '../core/kube.ts';
import type { DryRunRejection } from '../live/live-state.ts';
import { kubeErrorKind } from './error-kind.ts';
import type { KubeApi } from './kube-client.ts';
import { KubeApiError } from './kube-errors.ts';
import { writtenByOthers } from './field-owners.ts';
import { ResourceDiscovery } from './resource-discovery.ts';

/** One chart object as an upgrade writes it: the release's stored manifest, the new render, and the live object. */
export interface ChartWrite {
  deployed?: KubeObject | undefined;
  rendered: KubeObject;
  live?: JsonObject | undefined;
}

const MERGE_PATCH = 'application/merge-patch+json';
const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';

/**
 * The API server's verdict on each chart object as the upgrade would write it, nothing stored (`dryRun=All`,
 * Kubernetes API "Dry-run": validation and admission run, persistence does not). helm's `upgrade
 * --dry-run=server` sends no object (it renders with `lookup` only), so a value the API server refuses (an
 * invalid quantity, a quota) passed the plan and failed the apply. An object the upgrade changes is patched with
 * a JSON merge patch (RFC 7386) from its stored manifest to the render: changed and added fields, removed map
 * keys as null, lists whole; a new one is created (POST). An object it leaves as it is, of a built-in kind, that
 * someone other than helm changed (managedFields) is sent as the render in a strategic merge patch, as helm's
 * three-way patch would write it: list items merge by key, so a port someone changed by hand that the chart's
 * port then collides with is refused here, not in the upgrade and its rollback. Other unchanged objects and
 * kinds the server does not serve are not sent. Returns, in the order given, the refusal or undefined; throws
 * what is not a refusal of the object (unreachable, RBAC's 403), after the retries the client makes.
 * `discovery`: the one that read the objects, whose discovery documents are then not read again.
 */
export async function dryRunChartWrites(client: KubeApi, writes: readonly ChartWrite[], namespace: string, discovery = new ResourceDiscovery(client)): Promise<(DryRunRejection | undefined)[]> {
  const limit = pLimit(client.concurrency ?? 8);
  return Promise.all(
    writes.map((write) =>
      limit(async () => {
        const unchanged = write.live !== undefined && write.deployed !== undefined && deepEqual(write.deployed, write.rendered);
        // Unchanged by the upgrade, helm still patches it onto what someone changed by hand (its three-way patch):
        // for a built-in kind that is a strategic merge of the render onto the live object, sent as is.
        if (unchanged && !(strategicMerge(write.rendered) && writtenByOthers(write.live!))) return undefined;
        const location = await discovery.locate(write.rendered, namespace);
        if (location === undefined) return undefined;
        const { path } = location;
        const what = `dry-run ${write.rendered.kind} ${write.rendered.metadata.name} as the chart renders it`;
        try {
          if (unchanged) {
            await client.request({ method: 'PATCH', path, query: { dryRun: 'All' }, contentType: STRATEGIC_MERGE_PATCH, body: write.rendered, what });
          } else if (write.live) {
            const patch = mergePatch((write.deployed ?? {}) as unknown as JsonValue, write.rendered as unknown as JsonValue);
            await client.request({ method: 'PATCH', path, query: { dryRun: 'All' }, contentType: MERGE_PATCH, body: patch, what });
          } else {
            await client.request({ method: 'POST', path: path.slice(0, path.lastIndexOf('/')), query: { dryRun: 'All' }, body: inNamespace(write.rendered, location.namespace), what });
          }
          return undefined;
        } catch (error) {
          if (!(error instanceof KubeApiError) || kubeErrorKind(error) !== 'refusal') throw error;
          return { status: error.status, message: withoutObjectEcho(error.serverMessage), causes: error.causes };
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

/** A namespaced object created in the namespace it will live in (a chart's objects often leave it to the release). */
function inNamespace(object: KubeObject, namespace: string | undefined): KubeObject {
  if (!namespace || object.metadata.namespace) return object;
  return { ...object, metadata: { ...object.metadata, namespace } };
}

/** Built-in kinds take a strategic merge patch (the core group, `apps`, `*.k8s.io`); custom resources do not. */
function strategicMerge(object: KubeObject): boolean {
  const group = apiGroup(object.apiVersion);
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}


/** A quoted value this long is the whole object echoed back (a patch the server could not decode), not the value at fault. */
const ECHO_CHARS = 200;

const ECHOED = 'Invalid value: (the object as patched)';
/** How the server words a patch whose result does not decode (it names no object: the decode failed before one existed). */
const UNDECODED = `"" is invalid: patch: ${ECHOED}: `;

/**
 * The server's message without the object it echoes: a patch that does not decode is refused as `"" is invalid:
 * patch: Invalid value: "{...the whole patched object, managedFields included...}": <why>`, 10 KB whose point
 * (`quantities must match ...`) is at the end; it becomes `the patched object does not decode: <why>`. Shorter
 * quoted values, which name the value at fault, stay.
 */
export function withoutObjectEcho(message: string): string {
  const shortened = message.replace(new RegExp(`Invalid value: "(?:[^"\\\\]|\\\\.){${ECHO_CHARS},}"`, 'g'), ECHOED);
  return shortened.startsWith(UNDECODED) ? `the patched object does not decode: ${shortened.slice(UNDECODED.length)}` : shortened;
}
