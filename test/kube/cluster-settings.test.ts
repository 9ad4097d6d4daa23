import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClusterSettings } from '../../src/kube/credentials/cluster-settings.ts';

test('reads each kind of cluster credential', () => {
  const clusters = parseClusterSettings('clusters.yml', `clusters:
  staging: { kubeconfigFile: /etc/fsm-gitops/staging.kubeconfig, context: staging }
  prod-eu-1: { ssmParameter: /fsm-gitops/prod-eu-1/kubeconfig, region: eu-west-1 }
  prod-us-1: { secretsManagerSecret: fsm-gitops/prod-us-1 }
  eks-prod:
    eks: { cluster: prod, region: eu-central-1 }
`);
  assert.deepEqual(Object.keys(clusters), ['staging', 'prod-eu-1', 'prod-us-1', 'eks-prod']);
  assert.deepEqual(clusters['eks-prod'], { eks: { cluster: 'prod', region: 'eu-central-1' } });
});

test('a credential of no known shape is an error at its line', () => {
  assert.throws(() => parseClusterSettings('clusters.yml', 'clusters:\n  prod:\n    kubeconfig: /x\n'), /clusters\.yml:2:3: clusters\.prod: give exactly one of kubeconfigFile, ssmParameter, secretsManagerSecret, eks or snapshotFile/);
});

test('an EKS entry needs cluster and region', () => {
  assert.throws(() => parseClusterSettings('s', 'clusters:\n  prod:\n    eks: { cluster: prod }\n'), /clusters\.prod/);
});
