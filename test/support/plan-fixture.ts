import { readFileSync } from 'node:fs';
import { parseRepoConfig } from '../../src/config/repo-config.ts';
import type { Finding } from '../../src/core/finding.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { loadEnvironment } from '../../src/desired/load-environment.ts';
import { MemoryRepo } from '../../src/desired/memory-repo.ts';
import type { LiveState } from '../../src/live/live-state.ts';
import { liveStateFromObjects, parseSnapshot } from '../../src/live/snapshot.ts';
import { planEnvironment, type PlanOptions } from '../../src/plan/plan.ts';
import type { EnvironmentPlan } from '../../src/plan/plan-types.ts';

export const CONFIG_FILE = '.github/fsm-gitops.yml';

export const STAGING_CONFIG = `environments:
  staging:
    path: clusters/staging
    cluster: staging
    mesh: { name: fsm, namespace: fsm-system }
    deploy: on-merge
    approvals: 1
`;

/** Two environments on two clusters, each with the same mesh: a plan of several environments. */
export const TWO_ENVIRONMENTS_CONFIG = `environments:
  staging:
    path: clusters/staging
    cluster: staging
    mesh: { name: fsm, namespace: fsm-system }
  production:
    path: clusters/production
    cluster: production
    mesh: { name: fsm, namespace: fsm-system }
`;

const snapshotCache = new Map<string, KubeObject[]>();

/** The objects of an example cluster snapshot (examples/cluster/<name>.yaml), parsed once per test process. */
export function exampleClusterObjects(name = 'staging'): KubeObject[] {
  let objects = snapshotCache.get(name);
  if (!objects) {
    const url = new URL(`../../examples/cluster/${name}.yaml`, import.meta.url);
    objects = parseSnapshot(url.pathname, readFileSync(url));
    snapshotCache.set(name, objects);
  }
  return structuredClone(objects);
}

export function exampleLiveState(name = 'staging', edit?: (objects: KubeObject[]) => KubeObject[]): LiveState {
  const objects = exampleClusterObjects(name);
  return liveStateFromObjects(`examples/cluster/${name}.yaml`, edit ? edit(objects) : objects, { name: 'fsm', namespace: 'fsm-system' });
}

/** Plans the staging environment of a repository made of `files` (paths relative to clusters/staging/ unless they start with '.' or '/'). */
export async function planFiles(
  files: Record<string, string | Uint8Array>,
  options: { config?: string; live?: LiveState; dryRun?: PlanOptions['dryRun']; services?: PlanOptions['services'] } = {},
): Promise<EnvironmentPlan> {
  const repo = new MemoryRepo({ [CONFIG_FILE]: options.config ?? STAGING_CONFIG });
  for (const [path, content] of Object.entries(files)) repo.set(path.startsWith('/') ? path.slice(1) : `clusters/staging/${path}`, content);
  const config = parseRepoConfig(CONFIG_FILE, (await repo.read(CONFIG_FILE))!);
  const environment = config.environments[0]!;
  const desired = await loadEnvironment(repo, environment);
  return planEnvironment(desired, options.live ?? exampleLiveState(), { ...(options.dryRun ? { dryRun: options.dryRun } : {}), ...(options.services ? { services: options.services } : {}) });
}

export function withCode(findings: readonly Finding[], code: string): Finding[] {
  return findings.filter((f) => f.code === code);
}

/** A partial MeshConfig manifest with the given spec YAML (indented under spec:). */
export function meshConfigYaml(specYaml: string): string {
  return `apiVersion: config.flomesh.io/v1alpha3
kind: MeshConfig
metadata:
  name: fsm-mesh-config
  namespace: fsm-system
spec:
${specYaml.replace(/^/gm, '  ')}
`;
}
