import type { ChartPolicy } from '../config/repo-config.ts';
import type { ChartUpgrade } from '../plan/plan-types.ts';
import { name, rollbackChart, rollbackCommand, upgradeChart, type ChartStepOptions, type RollbackOutcome } from './chart-upgrade.ts';
import { ROLLBACK_INCOMPLETE, ROLLED_BACK, type ExecuteResult } from './executor.ts';

/** The Helm release's deployed revision and chart version before and after an apply (history and Deployments record it). */
export interface HelmRevisions {
  /** `namespace/name`. */
  release: string;
  before: { revision: number; chartVersion: string };
  /** After the apply: the upgrade's revision, or the rollback's; absent when helm left it unknown. */
  after?: { revision: number; chartVersion: string };
}

/** `Helm release fsm-system/fsm: revision 3 (chart 1.5.1) → revision 4 (chart 1.6.0)`, for the CLI. */
export function describeRevisions(helm: HelmRevisions): string {
  const after = helm.after ? `revision ${helm.after.revision} (chart ${helm.after.chartVersion})` : 'unknown (see the message)';
  return `Helm release ${helm.release}: revision ${helm.before.revision} (chart ${helm.before.chartVersion}) → ${after}`;
}

/** How the chart upgrade's step starts in ApplyResult.done (and the history's `changes`). */
export const HELM_UPGRADE_STEP = 'upgrade Helm release ';

/** What an environment's apply did: the objects' result, with the chart upgrade's line first in `done`, and the Helm revisions when it upgraded. */
export type ApplyResult = ExecuteResult & { helm?: HelmRevisions };

/**
 * A chart upgrade, then the MeshConfig and plugin objects (`applyObjects`, the executor): the control plane
 * first, as DESIGN.md says. When the upgrade fails, or the objects' step does not end `applied`, the release
 * is rolled back to the plan's deployed revision (chart-upgrade.ts rollbackChart), and the message says
 * whether the objects' rollback and helm's each worked: `rolled-back` only when both did, else `failed` with
 * what is left in `notUndone`. The objects are not touched when the upgrade fails. Never throws for a helm
 * failure.
 */
export async function upgradeThenApply(upgrade: ChartUpgrade, policy: ChartPolicy, options: ChartStepOptions, applyObjects: () => Promise<ExecuteResult>): Promise<ApplyResult> {
  const release = name(upgrade);
  const before = { revision: upgrade.fromRevision, chartVersion: upgrade.fromVersion };
  const revisions = (after?: HelmRevisions['after']): HelmRevisions => ({ release, before, ...(after ? { after } : {}) });
  const started = (options.now ?? Date.now)();
  const upgraded = await upgradeChart(upgrade, policy, options);
  if (upgraded.status === 'not-started') {
    return { result: 'refused', done: [], uncertain: [], notUndone: [], message: `nothing written: ${upgraded.message}`, helm: revisions(before), ...(upgraded.leaseLost ? { leaseLost: true as const } : {}) };
  }
  if (upgraded.status === 'failed') {
    options.progress?.(`helm upgrade failed: ${upgraded.message}`);
    const back = await rollbackChart(upgrade, options, started);
    const failure = `helm upgrade of ${release} to chart ${upgrade.toVersion} failed: ${upgraded.message}. The MeshConfig and plugin objects were not touched`;
    if (back.status === 'unchanged') return { result: 'refused', done: [], uncertain: [], notUndone: [], message: `${failure}; the release is unchanged (revision ${upgrade.fromRevision})`, helm: revisions(before) };
    return withRollback({ result: 'rolled-back', done: [], uncertain: [], notUndone: [] }, failure, upgrade, back, revisions);
  }

  const step = `${HELM_UPGRADE_STEP}${release} to chart ${upgrade.toVersion} (revision ${upgraded.revision})`;
  const objects = await applyObjects();
  const done = [step, ...objects.done];
  if (objects.result === 'applied') return { ...objects, done, helm: revisions({ revision: upgraded.revision, chartVersion: upgrade.toVersion }) };
  options.progress?.(`the MeshConfig and plugin objects were not applied: rolling back the Helm release`);
  const back = await rollbackChart(upgrade, options, started, upgraded.revision);
  const after = { revision: upgraded.revision, chartVersion: upgrade.toVersion };
  return withRollback({ ...objects, done }, `MeshConfig and plugin objects: ${objects.message ?? objects.result}`, upgrade, back, (rolled) => revisions(rolled ?? after));
}

/** The result once helm's rollback is known: `rolled-back` only if the objects' step left nothing to undo and helm's rollback worked. */
function withRollback(objects: ExecuteResult, failure: string, upgrade: ChartUpgrade, back: RollbackOutcome, revisions: (after?: HelmRevisions['after']) => HelmRevisions): ApplyResult {
  const release = name(upgrade);
  const said = failure.replace(/[.\s]+$/, '');
  // When helm's release is not taken back, the cluster is not as it was: the objects' own verdict must not say it is.
  const incomplete = said.includes(ROLLBACK_INCOMPLETE) ? `${said}; ` : `${said.replace(ROLLED_BACK, 'The MeshConfig and plugin objects were rolled back')}. ${ROLLBACK_INCOMPLETE}: `;
  const objectsUndone = objects.result === 'rolled-back' || objects.result === 'refused';
  const restored = { revision: 0, chartVersion: upgrade.fromVersion };
  switch (back.status) {
    case 'rolled-back':
    case 'unchanged': {
      const revision = back.status === 'rolled-back' ? back.revision : upgrade.fromRevision;
      const now = revision === undefined ? '' : ` (now revision ${revision})`;
      return {
        ...objects,
        result: objectsUndone ? 'rolled-back' : 'failed',
        message: `${said}. Helm release ${release} rolled back to revision ${upgrade.fromRevision}${now}.`,
        helm: revisions(revision === undefined ? undefined : { ...restored, revision }),
      };
    }
    case 'lease-lost':
      return {
        ...objects,
        leaseLost: true,
        result: 'failed',
        message: `${incomplete}Helm release ${release} not rolled back: ${back.message}; another apply may be changing the environment now. Run a plan to see where it stands`,
        notUndone: [...objects.notUndone, `Helm release ${release}: not rolled back to revision ${upgrade.fromRevision}`],
        helm: revisions(),
      };
    case 'left':
      return {
        ...objects,
        result: 'failed',
        message: `${incomplete}Helm release ${release} not rolled back to revision ${upgrade.fromRevision}: ${back.message}; it is left as it is, as a rollback never writes over a later change. Check those objects, then run \`${rollbackCommand(upgrade)}\` if the release should go back`,
        notUndone: [...objects.notUndone, `Helm release ${release}: not rolled back to revision ${upgrade.fromRevision} (${back.changed.length > 0 ? 'changed by someone else since the upgrade' : 'later changes could not be checked'})`],
        helm: revisions(),
      };
    case 'failed':
      return {
        ...objects,
        result: 'failed',
        message: `${incomplete}Helm rollback of ${release} to revision ${upgrade.fromRevision} failed: ${back.message}. Run \`${rollbackCommand(upgrade)}\` once no helm runs on it`,
        notUndone: [...objects.notUndone, `Helm release ${release}: not rolled back to revision ${upgrade.fromRevision}`],
        helm: revisions(),
      };
  }
}

/**
 * What an apply's steps (ApplyResult.done, or a history record's `changes` of `total`) amount to, as people
 * count them: `the chart upgraded, 3 object(s) applied, 1 deleted`; `no changes needed` for none. A plan
 * counts a chart upgrade per rendered object; the apply runs it as one helm upgrade.
 */
export function describeSteps(steps: readonly string[], total = steps.length): string {
  if (total === 0) return 'no changes needed';
  if (total > steps.length) return `${total} step(s)`;
  const chart = steps.some((s) => s.startsWith(HELM_UPGRADE_STEP));
  const deleted = steps.filter((s) => s.startsWith('delete ')).length;
  const applied = steps.length - deleted - (chart ? 1 : 0);
  return [chart ? 'the chart upgraded' : '', applied > 0 ? `${applied} object(s) applied` : '', deleted > 0 ? `${deleted} deleted` : ''].filter(Boolean).join(', ');
}
