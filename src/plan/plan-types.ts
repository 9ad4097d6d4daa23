import type { Finding } from '../core/finding.ts';
import type { JsonObject } from '../core/json.ts';
import type { KubeObject } from '../core/kube.ts';
import type { ChartArchive } from '../helm/helm-client.ts';
import type { ChartFile } from '../live/helm-release.ts';
import type { ChartInCluster } from '../live/live-state.ts';
import type { FieldChange } from './field-changes.ts';
import type { OmittedFindings } from './finding-caps.ts';

export type ChangeAction = 'create' | 'update' | 'delete' | 'unchanged';

/**
 * What the plan will do to one object (or to the Helm values, as kind `HelmValues`). before/after are normalized
 * and masked; an unchanged object (but the Helm values) has neither: no output shows it.
 */
export interface ResourceChange {
  action: ChangeAction;
  kind: string;
  apiVersion: string;
  name: string;
  namespace?: string;
  /** The repository file that asks for it (absent for a prune). */
  file?: string;
  line?: number;
  before?: JsonObject;
  after?: JsonObject;
  fields: FieldChange[];
  /** Why `apply` will not carry this change out yet, when it will not. */
  pending?: string;
  /** A chart upgrade changes this workload's pod template: its pods are replaced (rolled). */
  rollout?: boolean;
}

/**
 * What rendering the FSM chart for an environment gave (src/chart/render-release.ts: `helm upgrade
 * --dry-run=server` against a live cluster, `helm template` for a snapshot), handed to the pure plan as data.
 * `message` is helm's error, already redacted.
 */
export type ChartRender =
  | {
      ok: true;
      chartVersion: string;
      via: 'server dry run' | 'helm template';
      /** The release's stored manifest and the newly rendered one, as objects by kind/namespace/name (release-changes.ts parseManifest). */
      deployed: Map<string, KubeObject>;
      rendered: Map<string, KubeObject>;
      /** What apply runs to carry the plan out: the same chart and values the plan rendered. */
      upgrade: ChartUpgrade;
      /**
       * The rendered objects in the cluster, by the keys of `rendered`, when the plan reads an API server
       * (LiveStateReader.checkChart): as they are now, whose managedFields show who changed them since helm wrote
       * them, and the API server's refusals in its dry run; `unread` says why they could not be read,
       * `forbidden` that RBAC refused a read (the identity lacks deploy/rbac-chart.yaml's role).
       */
      inCluster?: ChartInCluster | { unread: string; forbidden?: true };
    }
  /** `pull`: the new version could not be fetched from `chart.repository` (nothing was rendered): the config's to fix, not values.yaml's. */
  | { ok: false; chartVersion: string; message: string; pull?: true };

/**
 * The `helm upgrade` a plan rendered, as apply runs it (src/apply/chart-upgrade.ts). Unmasked: never rendered.
 * `chart`: the deployed release's own chart (its files, from the release Secret) when the version does not
 * change, else the archive of that version the plan pulled from the environment's `chart.repository` and
 * rendered: apply installs those bytes, not what the repository serves by then.
 */
export interface ChartUpgrade {
  release: { name: string; namespace: string };
  /** The deployed revision the plan diffed against: a failed apply rolls back to it. */
  fromRevision: number;
  /**
   * The release's newest revision when planned: `fromRevision`, or a failed one above it (an earlier upgrade
   * that failed, a rollback that did). helm numbers the upgrade's revision after it. Absent: `fromRevision`.
   */
  latestRevision?: number;
  fromVersion: string;
  toVersion: string;
  chart: { files: ChartFile[] } | ChartArchive;
  /** Exactly the values helm is given (values.yaml plus fsm.meshName; helm-values.ts releaseValues). */
  values: JsonObject;
  /**
   * The release's objects before (the deployed revision's manifest) and after (the new render) the upgrade,
   * each in one or both: a rollback to `fromRevision` writes `deployed` back and removes what only `rendered`
   * has. Read before a rollback, which must not write over anyone's later change.
   */
  objects: { deployed?: KubeObject; rendered?: KubeObject }[];
}

export interface Workload {
  kind: string;
  namespace: string;
  name: string;
}

export interface EnvironmentPlan {
  name: string;
  /** Environment folder in the repository. */
  path: string;
  /** Where the live state came from. */
  liveSource: string;
  changes: ResourceChange[];
  /** The findings shown: at most FINDINGS_PER_FILE per file and FINDINGS_PER_PLAN in all (src/plan/finding-caps.ts). */
  findings: Finding[];
  /** Findings left out past those caps, counted per file; absent or empty when none were. */
  omittedFindings?: OmittedFindings[];
  /** Workloads that must restart for this change to reach their sidecars. */
  restarts: Workload[];
}

export interface Plan {
  environments: EnvironmentPlan[];
}
