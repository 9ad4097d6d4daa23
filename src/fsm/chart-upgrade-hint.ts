/**
 * How an environment turns chart upgrades on, for the notices of values changes it leaves alone: the setting,
 * and the opt-in RBAC that `helm upgrade` of FSM's chart needs beyond deploy/rbac.yaml (docs/deploy.md,
 * "Chart upgrades: the opt-in role").
 */
export const ENABLE_CHART_UPGRADES =
  'set `chart: { upgrade: true }` for the environment in .github/fsm-gitops.yml (docs/configuration.md, "Chart upgrades") and bind deploy/rbac-chart.yaml to the identity fsm-gitops applies with (docs/deploy.md, "Chart upgrades: the opt-in role")';
