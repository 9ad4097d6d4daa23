import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import type { KubeObject } from '../../src/core/kube.ts';
import type { KubeClient } from '../../src/kube/kube-client.ts';
import { create } from './kube-test-cluster.ts';

/** Creates every object of an RBAC file (deploy/rbac.yaml, deploy/rbac-chart.yaml) as the admin. */
export async function applyRbacFile(admin: KubeClient, file: string): Promise<void> {
  for (const object of loadAll(readFileSync(file, 'utf8')) as KubeObject[]) await create(admin, object);
}

/**
 * A kubeconfig beside `kubeconfig` (same server and CA) whose users hold a one-hour token of the ServiceAccount
 * fsm-system/fsm-gitops (deploy/rbac.yaml creates it): the identity the app runs as.
 */
export async function serviceAccountKubeconfig(admin: KubeClient, kubeconfig: string): Promise<string> {
  const token = await admin.request<{ status: { token: string } }>({
    method: 'POST',
    path: '/api/v1/namespaces/fsm-system/serviceaccounts/fsm-gitops/token',
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    what: 'request a token for fsm-gitops',
  });
  const config = loadAll(readFileSync(kubeconfig, 'utf8'))[0] as { users: { name: string; user: Record<string, unknown> }[] };
  for (const user of config.users) user.user = { token: token.status.token };
  const path = join(dirname(kubeconfig), 'fsm-gitops.kubeconfig');
  writeFileSync(path, dump(config));
  return path;
}
