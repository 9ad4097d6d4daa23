/** Helm 4's `--server-side` values (`helm upgrade --help`): apply server-side, client-side, or as the release did last. */
export type ServerSide = 'true' | 'false' | 'auto';

/**
 * The `--server-side` setting from FSM_GITOPS_HELM_SERVER_SIDE (`true`, `false` or `auto`); undefined when
 * unset, leaving helm's default (Helm 4: server-side apply for an install, `auto` for an upgrade or rollback).
 * `false` is needed on kube-apiserver 1.20, which refuses Helm 4's server-side apply of FSM's Services
 * ("associative list with keys has an element that omits key field \"protocol\"";
 * test/fixtures/fsm-reference/SOURCES.md, and test/cluster/helm.cluster-test.ts shows it). Helm 3 has no such flag: leave the setting unset with helm 3.
 * Throws on any other value.
 */
export function serverSideFromEnv(env: Record<string, string | undefined>): ServerSide | undefined {
  const value = env['FSM_GITOPS_HELM_SERVER_SIDE']?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === 'false' || value === 'auto') return value;
  throw new Error(`FSM_GITOPS_HELM_SERVER_SIDE is "${value}": it must be true, false or auto`);
}
