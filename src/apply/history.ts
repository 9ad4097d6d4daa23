import { randomUUID } from 'node:crypto';
import { isObject, type JsonObject } from '../core/json.ts';
import { ENVIRONMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/ownership.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import type { HelmRevisions } from './chart-apply.ts';
import { KubeApiError } from '../kube/kube-errors.ts';
import { collectionPath, CONFIG_MAPS, objectPath } from '../kube/resource-paths.ts';
import { resourceVersionOf } from './lease-object.ts';

export const HISTORY_LIMIT = 20;
/** A record lists at most this many changes; the rest are counted (`changeCount`). */
export const MAX_CHANGES_PER_RECORD = 100;
/** The history's JSON is kept under this many bytes (oldest records dropped), far below the 1 MiB an object may have (etcd's request limit). */
export const HISTORY_MAX_BYTES = 256 * 1024;
const MAX_MESSAGE_CHARS = 2_000;

export interface ApplyRecord {
  /** Unique per record: tells whether a write whose answer was lost went through. */
  id?: string;
  commit: string;
  time: string;
  actor: string;
  result: 'applied' | 'rolled-back' | 'failed' | 'refused';
  /** `create Plugin cors`, `update MeshConfig fsm-system/fsm-mesh-config`, ...: the first MAX_CHANGES_PER_RECORD. */
  changes: string[];
  /** How many changes there were, when more than `changes` lists. */
  changeCount?: number;
  message?: string;
  /** What started it, for the app's applies: `comment:<id>`, `merge:<sha>`. One trigger applies once. */
  trigger?: string;
  /** `deploy` or `rollback`. */
  task?: 'deploy' | 'rollback';
  pr?: number;
  /** The pull request's repository (`owner/name`), for the app's applies: environments may share a namespace across repositories. */
  repository?: string;
  /** The GitHub Deployment that records it. */
  deployment?: number;
  planDigest?: string;
  /** The Helm release's revision and chart version before and after, when the apply upgraded the chart. */
  helm?: HelmRevisions;
}

/**
 * When an apply is recorded (ApplyRecord.time): when it ended; one that lost its Lease (`leaseLost`), when it
 * took it (`heldSince`). Another apply may have taken the Lease over and run since, and it is recorded later:
 * the history's newest record stays the one whose writes the cluster holds, unless the two machines' clocks
 * differ by more than the time between.
 */
export function recordTime(heldSince: Date, result: { leaseLost?: true }, now = new Date()): string {
  return (result.leaseLost ? heldSince : now).toISOString();
}

export function historyName(environment: string): string {
  return `fsm-gitops-history-${environment}`;
}

/** The last applies of an environment, newest first, from its history ConfigMap. */
export async function readHistory(client: KubeApi, namespace: string, environment: string): Promise<ApplyRecord[]> {
  const configMap = await client.get(objectPath(CONFIG_MAPS, namespace, historyName(environment)), `read apply history of ${environment}`);
  return parseHistory(configMap).records;
}

export interface RecordOptions {
  /** Told when the history held what is not records (kept aside under UNREADABLE_KEY). */
  warn?: (message: string) => void;
}

/**
 * Adds a record to the environment's history (newest first by time), keeping the last HISTORY_LIMIT
 * within HISTORY_MAX_BYTES. A read-modify-write conditional on the ConfigMap's resourceVersion; a write
 * whose answer was lost (5xx, 409 on the retried create) is settled by reading: the record's id present
 * means done. Runs under the environment lock. Returns the record as stored (with its id). Throws the
 * last API error when the server does not take it.
 */
export async function recordApply(client: KubeApi, namespace: string, environment: string, record: ApplyRecord, options: RecordOptions = {}): Promise<ApplyRecord> {
  const entry = bounded({ ...record, id: record.id ?? randomUUID() });
  const path = objectPath(CONFIG_MAPS, namespace, historyName(environment));
  for (let attempt = 1; ; attempt++) {
    const existing = await client.get(path, `read apply history of ${environment}`);
    const { records, unreadable } = parseHistory(existing);
    if (records.some((r) => r.id === entry.id)) return entry;
    // What cannot be read as records (edited by hand, cut) is kept beside the new history, never overwritten.
    const kept: Record<string, string> = unreadable === undefined ? {} : { [UNREADABLE_KEY]: unreadable };
    const body: JsonObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: historyName(environment),
        namespace,
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [ENVIRONMENT_LABEL]: environment },
        ...(existing && resourceVersionOf(existing) ? { resourceVersion: resourceVersionOf(existing)! } : {}),
      },
      data: { ...keptData(existing), ...kept, 'history.json': serialize([entry, ...records]) },
    };
    try {
      if (existing) await client.request({ method: 'PUT', path, body, what: `update apply history of ${environment}` });
      else await client.request({ method: 'POST', path: collectionPath(CONFIG_MAPS, namespace), body, what: `create apply history of ${environment}` });
      if (unreadable !== undefined) {
        options.warn?.(`the apply history of ${environment} (ConfigMap ${namespace}/${historyName(environment)}, key history.json) held entries that are not apply records; a new history starts, and what was there is kept under the key ${UNREADABLE_KEY}`);
      }
      return entry;
    } catch (error) {
      const unsettled = error instanceof KubeApiError && (error.status === 409 || error.status >= 500);
      if (!unsettled || attempt >= 4) throw error;
    }
  }
}

/** Newest first, at most HISTORY_LIMIT, and the oldest dropped until the JSON fits HISTORY_MAX_BYTES. */
function serialize(records: ApplyRecord[]): string {
  const kept = [...records].sort(newestFirst).slice(0, HISTORY_LIMIT);
  for (;;) {
    const text = JSON.stringify(kept, null, 1);
    if (Buffer.byteLength(text) <= HISTORY_MAX_BYTES || kept.length === 1) return text;
    kept.pop();
  }
}

/** By time, as instants: `05:00:52.500Z` is after `05:00:52Z`, which text order says is not. Times that do not parse, as text. */
function newestFirst(a: ApplyRecord, b: ApplyRecord): number {
  const [at, bt] = [Date.parse(a.time), Date.parse(b.time)];
  return Number.isNaN(at) || Number.isNaN(bt) ? b.time.localeCompare(a.time) : bt - at;
}

/** A record of any apply fits: its change list and message are capped. */
function bounded(record: ApplyRecord): ApplyRecord {
  const count = record.changeCount ?? record.changes.length;
  return {
    ...record,
    changes: record.changes.slice(0, MAX_CHANGES_PER_RECORD),
    ...(count > MAX_CHANGES_PER_RECORD ? { changeCount: count } : {}),
    ...(record.message !== undefined ? { message: record.message.length > MAX_MESSAGE_CHARS ? `${record.message.slice(0, MAX_MESSAGE_CHARS)}…` : record.message } : {}),
  };
}

/** The key the text of a history that could not be read whole is kept under. */
export const UNREADABLE_KEY = 'history.unreadable.json';

/** The ConfigMap's other keys (an earlier unreadable copy), kept as they are. */
function keptData(configMap: JsonObject | undefined): Record<string, string> {
  const data = isObject(configMap?.['data']) ? configMap['data'] : {};
  return Object.fromEntries(Object.entries(data).filter((entry): entry is [string, string] => entry[0] !== 'history.json' && typeof entry[1] === 'string'));
}

/**
 * The records of a history ConfigMap; entries that are not records (edited by hand, corrupted) are left out,
 * and then `unreadable` is history.json's whole text, to be kept.
 */
function parseHistory(configMap: JsonObject | undefined): { records: ApplyRecord[]; unreadable?: string } {
  const data = isObject(configMap?.['data']) ? configMap['data'] : {};
  const text = data['history.json'];
  if (typeof text !== 'string') return { records: [] };
  try {
    const parsed: unknown = JSON.parse(text);
    const records = Array.isArray(parsed) ? parsed.filter(isApplyRecord) : [];
    return Array.isArray(parsed) && records.length === parsed.length ? { records } : { records, unreadable: text };
  } catch {
    return { records: [], unreadable: text };
  }
}

const RESULTS = new Set(['applied', 'rolled-back', 'failed', 'refused']);

/** Whether a parsed value has the shape of an ApplyRecord (the fields every reader relies on). */
export function isApplyRecord(value: unknown): value is ApplyRecord {
  if (!isObject(value)) return false;
  const { commit, time, actor, result, changes, id } = value;
  return (
    typeof commit === 'string' &&
    typeof time === 'string' &&
    typeof actor === 'string' &&
    typeof result === 'string' &&
    RESULTS.has(result) &&
    Array.isArray(changes) &&
    changes.every((c) => typeof c === 'string') &&
    (id === undefined || typeof id === 'string')
  );
}
