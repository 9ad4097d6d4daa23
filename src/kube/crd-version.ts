import { isObject } from '../core/json.ts';
import type { KubeObject } from '../core/kube.ts';

/**
 * The version a CRD stores its objects at (the one `storage: true` in `spec.versions`; Kubernetes allows
 * exactly one), or else its first served version; undefined when it lists none. The live read lists each
 * FSM kind at this version, so the live objects carry it as their apiVersion.
 * (apiextensions.k8s.io/v1 CustomResourceDefinitionVersion: https://kubernetes.io/docs/reference/kubernetes-api/extend-resources/custom-resource-definition-v1/)
 */
export function storageVersion(crd: KubeObject): string | undefined {
  const versions = isObject(crd['spec']) && Array.isArray(crd['spec']['versions']) ? crd['spec']['versions'].filter(isObject) : [];
  const storage = versions.find((v) => v['storage'] === true) ?? versions.find((v) => v['served'] !== false);
  return typeof storage?.['name'] === 'string' ? storage['name'] : undefined;
}
