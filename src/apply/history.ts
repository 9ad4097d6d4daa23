import { isObject, type JsonObject } from '../core/json.ts';
import { ENVIRONMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/ownership.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import { collectionPath, CONFIG_MAPS, objectPath } from '../kube/resource-paths.ts';

export const HISTORY_LIMIT = 20;

export interface ApplyRecord {
  commit: string;
  time: string;
  actor: string;
  result: 'applied' | 'rolled-back' | 'failed';
  /** `create Plugin cors`, `update MeshConfig fsm-system/fsm-mesh-config`, ... */
  changes: string[];
  message?: string;
  /** What started it, for the app's applies: `comment:<id>`, `merge:<sha>`. One trigger applies once. */
  trigger?: string;
  /** `deploy` or `rollback`. */
  task?: 'deploy' | 'rollback';
  pr?: number;
  /** The GitHub Deployment that records it. */
  deployment?: number;
  planDigest?: string;
}

export function historyName(environment: string): string {
  return `fsm-gitops-history-${environment}`;
}

/** The last applies of an environment, newest first, from its history ConfigMap. */
export async function readHistory(client: KubeApi, namespace: string, environment: string): Promise<ApplyRecord[]> {
  const configMap = await client.get(objectPath(CONFIG_MAPS, namespace, historyName(environment)), `read apply history of ${environment}`);
  return parseHistory(configMap);
}

/** Adds a record to the environment's history, keeping the last HISTORY_LIMIT. Runs under the environment lock. */
export async function recordApply(client: KubeApi, namespace: string, environment: string, record: ApplyRecord): Promise<void> {
  const path = objectPath(CONFIG_MAPS, namespace, historyName(environment));
  const existing = await client.get(path, `read apply history of ${environment}`);
  const records = [record, ...parseHistory(existing)].slice(0, HISTORY_LIMIT);
  const body: JsonObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: historyName(environment), namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [ENVIRONMENT_LABEL]: environment } },
    data: { 'history.json': JSON.stringify(records, null, 2) },
  };
  if (existing) {
    await client.request({ method: 'PUT', path, body, what: `update apply history of ${environment}` });
  } else {
    await client.request({ method: 'POST', path: collectionPath(CONFIG_MAPS, namespace), body, what: `create apply history of ${environment}` });
  }
}

function parseHistory(configMap: JsonObject | undefined): ApplyRecord[] {
  const data = isObject(configMap?.['data']) ? configMap['data'] : {};
  const text = data['history.json'];
  if (typeof text !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as ApplyRecord[]) : [];
  } catch {
    return [];
  }
}
