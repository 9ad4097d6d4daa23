import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeApi } from '../kube/kube-client.ts';
import { isApplyRecord, recordApply, type ApplyRecord } from './history.ts';

/** Whose history a record belongs to. */
export interface HistoryTarget {
  server: string;
  namespace: string;
  environment: string;
}

/**
 * History records the cluster could not take (the API server died after the apply wrote), kept on this
 * machine in `<stateDir>/pending-history/` until the next apply of the environment writes them. One JSON
 * file per target: `{ target, records: ApplyRecord[] }`, written whole with a rename.
 */
export class PendingHistory {
  constructor(private readonly stateDir: string = defaultStateDir()) {}

  /** Keeps a record; returns the file it is in. Throws only when the disk refuses (the caller still reports the apply). */
  keep(target: HistoryTarget, record: ApplyRecord): string {
    const file = this.file(target);
    const records = [...this.load(target).filter((r) => r.id !== record.id), record];
    mkdirSync(join(this.stateDir, 'pending-history'), { recursive: true, mode: 0o700 });
    writeFileSync(`${file}.tmp`, JSON.stringify({ target, records }, null, 1), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    return file;
  }

  /** The records kept for a target, oldest first; none when there is no file or it is unreadable. */
  load(target: HistoryTarget): ApplyRecord[] {
    try {
      const parsed = JSON.parse(readFileSync(this.file(target), 'utf8')) as { records?: unknown };
      return Array.isArray(parsed.records) ? parsed.records.filter(isApplyRecord) : [];
    } catch {
      return [];
    }
  }

  /**
   * Writes the kept records to the cluster's history (each once: records carry ids) and forgets them.
   * Returns how many were written. Throws the API error when the cluster does not take them (they stay kept).
   */
  async flush(client: KubeApi, target: HistoryTarget): Promise<number> {
    const records = this.load(target);
    for (const record of records) await recordApply(client, target.namespace, target.environment, record);
    if (records.length > 0) rmSync(this.file(target), { force: true });
    return records.length;
  }

  private file(target: HistoryTarget): string {
    const key = createHash('sha256').update(`${target.server}\n${target.namespace}\n${target.environment}`).digest('hex').slice(0, 16);
    return join(this.stateDir, 'pending-history', `${target.environment.replace(/[^a-z0-9-]/g, '_')}-${key}.json`);
  }
}

/** $FSM_GITOPS_STATE_DIR, else $XDG_STATE_HOME/fsm-gitops, else ~/.local/state/fsm-gitops (XDG Base Directory spec). */
export function defaultStateDir(): string {
  const explicit = process.env['FSM_GITOPS_STATE_DIR'];
  if (explicit) return explicit;
  return join(process.env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state'), 'fsm-gitops');
}
