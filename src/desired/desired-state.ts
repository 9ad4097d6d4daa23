import type { EnvironmentConfig } from '../config/repo-config.ts';
import type { Finding } from '../core/finding.ts';
import type { JsonObject, JsonPath } from '../core/json.ts';
import type { KubeObject } from '../core/kube.ts';

export type Locate = (path: JsonPath) => { line: number; column: number };

/** A manifest from the repository, remembering where it came from. */
export interface DesiredResource {
  object: KubeObject;
  file: string;
  locate: Locate;
  /** Set when a Plugin's spec.pipyscript comes from a `.js` file beside its manifest (even one that could not be read). */
  scriptFile?: string;
}

/** The environment's values.yaml: the FSM chart's values override. */
export interface DesiredValues {
  file: string;
  values: JsonObject;
  locate: Locate;
}

/** Everything an environment's folder asks for, plus what was wrong with reading it. */
export interface DesiredEnvironment {
  environment: EnvironmentConfig;
  resources: DesiredResource[];
  values: DesiredValues | undefined;
  findings: Finding[];
  /** The folder holds no manifests and no values (whatever other files it has): most likely a wrong path, so nothing may be pruned. */
  empty: boolean;
  /**
   * Manifest files whose objects could not all be read (a syntax error, not text, too large, a document that is not
   * a manifest) and symbolic links (never followed): what they ask for is unknown, so nothing may be pruned while
   * there is one (src/plan/prune.ts). In the order found.
   */
  unread: string[];
}
