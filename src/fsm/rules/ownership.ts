import type { Finding } from '../../core/finding.ts';
import { findingAt } from '../../core/findings.ts';
import { displayName, objectKey } from '../../core/kube.ts';
import { ADOPT_ANNOTATION } from '../../core/ownership.ts';
import { liveObjectsByKey } from '../../plan/live-objects.ts';
import { adoptionCovers, adoptionOf, adoptionValue, describeOwner, hasOwnership, ownerOf } from '../../plan/ownership.ts';
import type { Rule } from './rule.ts';

const NAME = ['metadata', 'name'];
const ANNOTATION = ['metadata', 'annotations', ADOPT_ANNOTATION];

/**
 * Ownership is never granted by fsm-gitops's own write (issue 9): a repository Plugin, PluginChain or
 * PluginConfig whose live object fsm-gitops did not create for this environment is an error (`not-owned`,
 * which stops apply) unless its manifest adopts it on purpose with the fsm-gitops.io/adopt annotation;
 * then the plan says so (`adopt`, a warning reviewers see). A malformed annotation is `manifest-invalid`.
 * The MeshConfig is left out: fsm-bootstrap creates it and the repository manages fields of it.
 */
export const ownershipRule: Rule = {
  name: 'ownership',
  check(context) {
    const live = liveObjectsByKey(context.live);
    const findings: Finding[] = [];
    for (const resource of context.managed) {
      if (!hasOwnership(resource.object)) continue;
      const asked = adoptionOf(resource.object);
      if ('error' in asked) {
        findings.push(findingAt(resource, ANNOTATION, 'error', 'manifest-invalid', asked.error));
        continue;
      }
      const current = live.get(objectKey(resource.object));
      if (!current) continue;
      const owner = ownerOf(current, context.environment.name);
      if (owner.by === 'this-environment') continue;
      const what = `${displayName(resource.object)} exists in the cluster, ${describeOwner(owner)}`;
      const wanted = `${ADOPT_ANNOTATION}: "${adoptionValue(owner)}"`;
      if (adoptionCovers(asked.adoption, owner)) {
        const from = owner.by === 'environment' ? `; environment ${owner.environment} no longer manages or prunes it` : '';
        findings.push(
          findingAt(resource, NAME, 'warning', 'adopt', `${what}: this apply adopts it (${wanted}) and labels it as this environment's${from}. From then on the repository is its source of truth, and prune deletes it if the repository drops it`),
        );
        continue;
      }
      const said = asked.adoption ? ` (its ${ADOPT_ANNOTATION} annotation does not cover that)` : '';
      const risk = owner.by === 'environment' ? 'applying would take it from that environment' : 'applying would take it over, and prune could later delete it';
      findings.push(
        findingAt(resource, NAME, 'error', 'not-owned', `${what}${said}: ${risk}. To manage it from this repository, adopt it with the annotation ${wanted}; otherwise give this one another name`),
      );
    }
    return findings;
  },
};
