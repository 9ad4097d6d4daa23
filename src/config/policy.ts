import { createHash } from 'node:crypto';
import type { Finding } from '../core/finding.ts';
import { environmentAt, type ChartPolicy, type EnvironmentConfig, type EnvironmentKey, type RepoConfig } from './repo-config.ts';

/**
 * An environment's policy: the fields that decide what is deployed where, when and by whom. It is read
 * from the repository's default branch only; a pull request changes it by being merged (docs/github-app.md,
 * "Who decides").
 */
const POLICY_FIELDS = ['path', 'cluster', 'mesh', 'namespaces', 'deploy', 'approvals', 'teams', 'restart', 'prune', 'production', 'chart'] as const;

export type PolicyChange =
  | { environment: string; kind: 'added'; head: EnvironmentConfig }
  | { environment: string; kind: 'removed'; base: EnvironmentConfig }
  /** `fields[i]` says the change of `keys[i]`. */
  | { environment: string; kind: 'changed'; base: EnvironmentConfig; head: EnvironmentConfig; fields: string[]; keys: EnvironmentKey[] };

/** How the pull request's config differs from the default branch's, per environment. */
export function policyChanges(base: RepoConfig | undefined, head: RepoConfig | undefined): PolicyChange[] {
  const changes: PolicyChange[] = [];
  const baseEnvs = new Map((base?.environments ?? []).map((e) => [e.name, e]));
  const headEnvs = new Map((head?.environments ?? []).map((e) => [e.name, e]));
  for (const [name, b] of baseEnvs) {
    const h = headEnvs.get(name);
    if (!h) changes.push({ environment: name, kind: 'removed', base: b });
    else {
      const moved = POLICY_FIELDS.filter((f) => JSON.stringify(b[f]) !== JSON.stringify(h[f])).flatMap((f) => (f === 'chart' ? chartChanges(b.chart, h.chart) : [{ key: f, text: `${f} ${show(b[f])} → ${show(h[f])}` }]));
      if (moved.length > 0) changes.push({ environment: name, kind: 'changed', base: b, head: h, fields: moved.map((m) => m.text), keys: moved.map((m) => m.key) });
    }
  }
  for (const [name, h] of headEnvs) if (!baseEnvs.has(name)) changes.push({ environment: name, kind: 'added', head: h });
  return changes;
}

/**
 * The finding a policy change shows on the pull request's config file (code `policy-pending`, docs/rules.md):
 * at the first changed key, else at the environment's key (line 1 when the pull request removed it).
 * `versionRefused`: the review found the new chart.version a downgrade or unallowed breaking bump (its own
 * error says so), so no plan will ever run it.
 */
export function policyFinding(change: PolicyChange, head: RepoConfig | undefined, versionRefused = false): Finding {
  const place = change.kind === 'changed' && change.keys[0] ? environmentAt(change.head, change.keys[0]) : head?.places.get(change.environment);
  const at = place ?? { file: head?.file ?? '.github/fsm-gitops.yml', line: 1, column: 1 };
  const message =
    change.kind === 'added'
      ? `environments.${change.environment} is new: until it is on the default branch it is planned from its files only, against FSM's defaults, without contacting a cluster, and it cannot be deployed`
      : change.kind === 'removed'
        ? `environments.${change.environment} is removed: after merge fsm-gitops stops managing it (nothing in its cluster is deleted); until then the default branch's policy applies`
        : `environments.${change.environment} takes effect after merge: ${change.fields.map((f, i) => (change.keys[i] === CHART_KEYS.version ? f + versionNote(change.head.chart, versionRefused) : f)).join(', ')}. Until then this review, its plan and every /fsm command use the default branch's policy`;
  return { severity: 'warning', code: 'policy-pending', message, ...at };
}

/** A short digest of an environment's policy, recorded with each review to tell whether the policy moved since. */
export function policyDigest(environment: EnvironmentConfig): string {
  const fields = Object.fromEntries(POLICY_FIELDS.map((f) => [f, environment[f] ?? null]));
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16);
}

/** The `chart:` keys as .github/fsm-gitops.yml spells them (ChartPolicy's names are not the file's). */
const CHART_KEYS: Record<keyof ChartPolicy, EnvironmentKey> = { upgrade: 'chart.upgrade', version: 'chart.version', repository: 'chart.repository', allowBreaking: 'chart.allowBreaking', waitTimeoutSeconds: 'chart.wait.timeoutSeconds' };

/** Each `chart:` key that differs, as the file spells it, with its change said. */
function chartChanges(before: ChartPolicy | undefined, after: ChartPolicy | undefined): { key: EnvironmentKey; text: string }[] {
  return (Object.keys(CHART_KEYS) as (keyof ChartPolicy)[])
    .filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]))
    .map((k) => ({ key: CHART_KEYS[k], text: `${CHART_KEYS[k]} ${show(before?.[k])} → ${show(after?.[k])}` }));
}

/** What becomes of a chart.version change, which this pull request's plan cannot show (the default branch's policy plans it). */
function versionNote(after: ChartPolicy | undefined, refused: boolean): string {
  if (!after?.upgrade) return ' (with chart.upgrade off, fsm-gitops never runs this upgrade: the plan only validates it)';
  if (refused) return ' (refused: every plan after merge would fail on it, see the error on chart.version)';
  return ' (after merge, the next plan of this environment shows the upgrade as a HelmRelease change with its objects, and applies it with that change; the drift issue shows it until then)';
}

function show(value: unknown): string {
  return value === undefined ? '(default)' : JSON.stringify(value);
}
