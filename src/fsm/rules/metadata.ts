import { findingAt } from '../../core/findings.ts';
import { validateObjectMeta } from '../../schema/object-meta.ts';
import { contentOf, type Rule } from './rule.ts';

/**
 * Each manifest's `metadata` as the API server validates a custom resource's ObjectMeta (schema/object-meta.ts):
 * typos and wrong types, label and annotation keys and values, finalizers, owner references, and the fields only
 * the cluster sets. It needs no CRD, so it runs when the cluster's schemas are unavailable too, and it reads the
 * repository's manifest, never the live object a MeshConfig is merged onto.
 */
export const metadataRule: Rule = {
  name: 'metadata',
  check(context) {
    return contentOf(context).flatMap((resource) =>
      validateObjectMeta(resource.object.metadata).map((v) => findingAt(resource, v.path, v.severity, v.code, v.message)),
    );
  },
};
