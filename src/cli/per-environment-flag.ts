import { UsageError } from '../workflow/usage-error.ts';

/**
 * A repeatable flag given either once plainly (`--cluster FILE`: every environment) or once per environment
 * as `ENV=VALUE` (an environment name as .github/fsm-gitops.yml allows: lowercase letters, digits, `-`).
 * Throws UsageError when the plain form is given twice.
 */
export function perEnvironmentFlag(flag: string, values: string[], placeholder: string): { shared: string | undefined; perEnvironment: Map<string, string> } {
  const perEnvironment = new Map<string, string>();
  let shared: string | undefined;
  for (const value of values) {
    const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)=(.+)$/.exec(value);
    if (match) perEnvironment.set(match[1]!, match[3]!);
    else if (shared === undefined) shared = value;
    else throw new UsageError(`${flag} given twice without an environment (${shared}, ${value}); use ${flag} ENV=${placeholder} for each environment`);
  }
  return { shared, perEnvironment };
}
