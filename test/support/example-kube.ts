import type { JsonObject } from '../../src/core/json.ts';
import { LEASE_TOKEN_ANNOTATION, microTime } from '../../src/apply/lease-object.ts';
import { FakeKube } from './fake-kube.ts';
import { examplePath } from './example-paths.ts';
import { serveWithNock } from './fake-kube-nock.ts';
import { exampleClusterObjects } from './plan-fixture.ts';

export { examplePath } from './example-paths.ts';

/** An in-memory API server at `server` holding the example's staging cluster, served to real clients through nock (call nock.cleanAll() after). */
export function servedExampleCluster(server: string): FakeKube {
  const fake = new FakeKube(server);
  for (const object of exampleClusterObjects('staging')) fake.seed(examplePath(object), object);
  serveWithNock(fake, server);
  return fake;
}

/** Environment staging's Lease as someone else holds it (commit `abc`), renewed `ageSeconds` ago, lasting 60 s. */
export function theirLease(holder: string, ageSeconds: number): JsonObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'fsm-gitops-staging', namespace: 'fsm-system', annotations: { 'fsm-gitops.io/commit': 'abc', [LEASE_TOKEN_ANNOTATION]: 'their-token' } },
    spec: { holderIdentity: holder, leaseDurationSeconds: 60, renewTime: microTime(new Date(Date.now() - ageSeconds * 1000)) },
  };
}
