import type { RepoConfig } from '../config/repo-config.ts';
import { UsageError } from '../workflow/usage-error.ts';

/** `ENV=VALUE`, ENV an environment name as .github/fsm-gitops.yml allows: lowercase letters, digits, `-`. */
const PER_ENVIRONMENT = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)=(.+)$/;
/** `ENV=` with nothing after it: a value left out, not a file or context named so. */
const NOTHING_AFTER = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)=$/;

function refuseNothingAfter(flag: string, value: string, placeholder: string): void {
  const environment = NOTHING_AFTER.exec(value)?.[1];
  if (environment !== undefined) throw new UsageError(`${flag} ${value} gives environment "${environment}" no ${placeholder}: write ${flag} ${environment}=${placeholder}`);
}

/**
 * A repeatable flag given either once plainly (`--cluster FILE`: every environment) or once per environment
 * as `ENV=VALUE` (an environment name as .github/fsm-gitops.yml allows: lowercase letters, digits, `-`).
 * Throws UsageError when the plain form is given twice.
 */
export function perEnvironmentFlag(flag: string, values: string[], placeholder: string): { shared: string | undefined; perEnvironment: Map<string, string> } {
  const perEnvironment = new Map<string, string>();
  let shared: string | undefined;
  for (const value of values) {
    refuseNothingAfter(flag, value, placeholder);
    const match = PER_ENVIRONMENT.exec(value);
    if (match) perEnvironment.set(match[1]!, match[3]!);
    else if (shared === undefined) shared = value;
    else throw new UsageError(`${flag} given twice without an environment (${shared}, ${value}); use ${flag} ENV=${placeholder} for each environment`);
  }
  return { shared, perEnvironment };
}

/** A per-environment form of a flag as given (`--context nope=kind-dev`), and the environment it names. */
export interface EnvironmentForm {
  environment: string;
  given: string;
}

/** The ENV=VALUE forms among a flag's values. */
export function environmentForms(flag: string, values: readonly string[], placeholder: string): EnvironmentForm[] {
  return values.flatMap((value) => {
    refuseNothingAfter(flag, value, placeholder);
    const environment = PER_ENVIRONMENT.exec(value)?.[1];
    return environment === undefined ? [] : [{ environment, given: `${flag} ${value}` }];
  });
}

/**
 * Throws UsageError for the first form naming an environment `config` does not have: a typo there would otherwise
 * be ignored, and the error would blame the environment that then lacks its flag.
 */
export function requireFormEnvironments(config: RepoConfig, forms: readonly EnvironmentForm[]): void {
  const names = config.environments.map((e) => e.name);
  const unknown = forms.find((form) => !names.includes(form.environment));
  if (unknown) throw new UsageError(`${unknown.given} names environment "${unknown.environment}", which ${config.file} does not have; it has: ${names.join(', ')}`);
}
