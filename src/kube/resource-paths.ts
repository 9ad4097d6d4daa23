import { apiGroup, apiVersionOnly } from '../core/kube.ts';
import { isDnsLabel, isDnsSubdomain } from '../core/names.ts';

export interface ResourceType {
  /** `''` for the core group. */
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

export const NAMESPACES: ResourceType = { group: '', version: 'v1', plural: 'namespaces', namespaced: false };
export const SECRETS: ResourceType = { group: '', version: 'v1', plural: 'secrets', namespaced: true };
export const SERVICES: ResourceType = { group: '', version: 'v1', plural: 'services', namespaced: true };
export const CONFIG_MAPS: ResourceType = { group: '', version: 'v1', plural: 'configmaps', namespaced: true };
export const LEASES: ResourceType = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true };
export const CRDS: ResourceType = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', namespaced: false };
export const WORKLOADS: Record<string, ResourceType> = {
  Deployment: { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
  StatefulSet: { group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true },
  DaemonSet: { group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true },
};

/**
 * The resource type of `group/version` (or `v1` for the core group). Throws unless the group is empty or
 * a DNS subdomain and the version a DNS label (what the API server allows for CRD groups and versions),
 * so a crafted apiVersion (`g/v1/namespaces/x/...?`) can never reshape a URL.
 */
export function typeFor(apiVersion: string, plural: string, namespaced: boolean): ResourceType {
  const group = apiGroup(apiVersion);
  const version = apiVersionOnly(apiVersion);
  if ((group !== '' && !isDnsSubdomain(group)) || !isDnsLabel(version)) throw new Error(`${JSON.stringify(apiVersion)} is not a valid apiVersion`);
  return { group, version, plural, namespaced };
}

/** `/api/v1/namespaces/x/secrets`, `/apis/plugin.flomesh.io/v1alpha1/plugins`; all namespaces when `namespace` is undefined. */
export function collectionPath(type: ResourceType, namespace?: string): string {
  const base = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const scope = type.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${scope}/${type.plural}`;
}

export function objectPath(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${collectionPath(type, namespace)}/${encodeURIComponent(name)}`;
}
