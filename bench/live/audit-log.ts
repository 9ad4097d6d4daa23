/**
 * Counts the Kubernetes requests a command sends, from the API server's audit log (one JSON event per
 * request at stage ResponseComplete; Kubernetes docs, "Auditing"). The bench runs one command at a time, so
 * the events written between two marks are that command's; only the admin user's are counted (the API
 * server's own loopback requests are not).
 */
import { open, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Every request, metadata only (no bodies), once, when its response is complete. */
const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
`;
/** The log backend writes an event after the response is sent: give the last ones time to land. */
const SETTLE_MS = 300;

export interface RequestCount {
  total: number;
  /** e.g. { list: 1, patch: 1000 } */
  byVerb: Record<string, number>;
}

export class AuditLog {
  private constructor(readonly path: string, readonly apiserverArgs: string) {}

  /** Writes the policy in `dir`; apiserverArgs go to KUBE_TEST_CLUSTER_APISERVER_ARGS (space-separated). */
  static async create(dir: string): Promise<AuditLog> {
    const policy = join(dir, 'audit-policy.yaml');
    await writeFile(policy, POLICY);
    const path = join(dir, 'audit.log');
    return new AuditLog(path, `--audit-policy-file=${policy} --audit-log-path=${path} --audit-log-maxsize=2000`);
  }

  /** The log's current end, in bytes. */
  async mark(): Promise<number> {
    await sleep(SETTLE_MS);
    return (await stat(this.path)).size;
  }

  /** The admin user's requests logged between two marks. */
  async count(from: number, to: number): Promise<RequestCount> {
    const file = await open(this.path);
    try {
      const buffer = Buffer.alloc(to - from);
      await file.read(buffer, 0, buffer.length, from);
      const byVerb: Record<string, number> = {};
      let total = 0;
      for (const line of buffer.toString('utf8').split('\n')) {
        if (!line) continue;
        const event = JSON.parse(line) as { verb?: string; user?: { username?: string } };
        if (event.user?.username !== 'admin') continue;
        total++;
        const verb = event.verb ?? '?';
        byVerb[verb] = (byVerb[verb] ?? 0) + 1;
      }
      return { total, byVerb };
    } finally {
      await file.close();
    }
  }
}
