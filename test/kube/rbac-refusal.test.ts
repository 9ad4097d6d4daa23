import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentialFailure, rbacRefusal } from '../../src/kube/credential-failure.ts';
import { KubeApiError } from '../../src/kube/kube-errors.ts';
import { LiveStateError } from '../../src/live/live-state.ts';

const forbidden = new KubeApiError(403, { kind: 'Status', reason: 'Forbidden', message: 'serviceaccounts "fsm" is forbidden: User "system:serviceaccount:fsm-system:fsm-gitops" cannot get resource "serviceaccounts"' }, 'read ServiceAccount fsm');

test("RBAC's 403 is told apart, also inside the LiveStateError that explains it; a webhook's denial and other errors are not RBAC's", () => {
  assert.match(rbacRefusal(forbidden) ?? '', /^serviceaccounts "fsm" is forbidden/);
  const explained = new LiveStateError(credentialFailure(forbidden, 'https://k8s.test')!, { cause: forbidden });
  assert.equal(rbacRefusal(explained), rbacRefusal(forbidden));
  const webhook = new KubeApiError(403, { kind: 'Status', message: 'admission webhook "x" denied the request: no' }, 'apply');
  assert.equal(rbacRefusal(webhook), undefined);
  assert.equal(rbacRefusal(new LiveStateError('unreachable')), undefined);
  assert.equal(rbacRefusal(undefined), undefined);
});
