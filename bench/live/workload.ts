/**
 * The bench's workload: N Plugins (cluster-scoped, plugin.flomesh.io/v1alpha1) for each tool, the same
 * objects but for the name prefix and a label naming the tool, as kubectl files (all, and the first half
 * that remains after the prune) and as an fsm-gitops repository (an environment `bench` whose folder holds
 * one file of Plugins; examples/gitops shows the layout).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dump } from 'js-yaml';

export type Tool = 'fsm-gitops' | 'kubectl';
/** Every bench Plugin carries it (value: the tool); kubectl deletes the pruned half by it. */
export const TOOL_LABEL = 'bench.fsm-gitops.io/tool';
/** "1" for the first half (kept by the prune), "2" for the second (pruned). */
export const HALF_LABEL = 'bench.fsm-gitops.io/half';
export const ENVIRONMENT = 'bench';

/** The Plugins of `tool`, numbered 0..count-1, as one multi-document YAML text. */
export function pluginsYaml(tool: Tool, count: number, total = count): string {
  const prefix = tool === 'kubectl' ? 'bench-kc' : 'bench-fg';
  return Array.from({ length: count }, (_, i) =>
    dump({
      apiVersion: 'plugin.flomesh.io/v1alpha1',
      kind: 'Plugin',
      metadata: { name: `${prefix}-${String(i).padStart(4, '0')}`, labels: { [TOOL_LABEL]: tool, [HALF_LABEL]: i < total / 2 ? '1' : '2' } },
      spec: { priority: 100, pipyscript: `pipy().pipeline().handleMessageStart(msg => msg.head.headers['x-bench'] = '${i}')\n` },
    }),
  ).join('---\n');
}

/**
 * Writes an fsm-gitops repository at `repo` planning `count` of fsm-gitops's Plugins (of `total`) for
 * environment `bench` of cluster `bench` (the mesh of examples/cluster/staging.yaml, which the cluster holds).
 */
export async function writeRepo(repo: string, count: number, total: number): Promise<void> {
  await mkdir(join(repo, '.github'), { recursive: true });
  await mkdir(join(repo, 'clusters', ENVIRONMENT, 'plugins'), { recursive: true });
  await writeFile(join(repo, '.github', 'fsm-gitops.yml'), `environments:\n  ${ENVIRONMENT}:\n    path: clusters/${ENVIRONMENT}\n    cluster: ${ENVIRONMENT}\n    mesh: { name: fsm, namespace: fsm-system }\n`);
  await writeFile(join(repo, 'clusters', ENVIRONMENT, 'plugins', 'bench.yaml'), pluginsYaml('fsm-gitops', count, total));
}
