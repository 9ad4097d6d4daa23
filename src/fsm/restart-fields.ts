import { formatPath, pathAtOrUnder, type JsonValue } from '../core/json.ts';
import { leafDiffs } from '../plan/field-changes.ts';

/**
 * MeshConfig fields (under spec) that FSM reads only when it injects a sidecar: a change reaches a pod
 * only when the pod is recreated. A trailing `.*` covers the whole subtree.
 */
export const RESTART_ONLY_FIELDS = [
  'sidecar.sidecarImage',
  'sidecar.enablePrivilegedInitContainer',
  'sidecar.localProxyMode',
  'sidecar.resources',
  'sidecar.initResources',
  'sidecar.healthcheckResources',
  'sidecar.holdApplicationUntilProxyStarts',
  'sidecar.gracefulExitUntilDownstreamEnds',
  'sidecar.tlsMinProtocolVersion',
  'sidecar.tlsMaxProtocolVersion',
  'sidecar.cipherSuites',
  'sidecar.ecdhCurves',
  'traffic.outboundIPRangeExclusionList',
  'traffic.outboundIPRangeInclusionList',
  'traffic.outboundPortExclusionList',
  'traffic.inboundPortExclusionList',
  'traffic.networkInterfaceExclusionList',
  'traffic.interceptionMode',
  'repoServer.*',
] as const;

/** The dotted spec paths (without `spec.`) whose values differ between two MeshConfig specs and are read only at injection. */
export function restartOnlyFields(beforeSpec: JsonValue | undefined, afterSpec: JsonValue | undefined): string[] {
  return leafDiffs(beforeSpec, afterSpec).map((d) => formatPath(d.path)).filter(restartOnlyPrefix);
}

export function restartOnlyPrefix(dottedSpecPath: string): boolean {
  return RESTART_ONLY_FIELDS.some((field) =>
    field.endsWith('.*')
      ? dottedSpecPath === field.slice(0, -2) || dottedSpecPath.startsWith(field.slice(0, -1))
      : pathAtOrUnder(dottedSpecPath, field),
  );
}
