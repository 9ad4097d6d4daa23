import { awsJsonCall, type AwsCallLimits } from './aws-json.ts';

/**
 * Where a setting's value lives, as serverless.yml passes it: `ssm:/fsm-gitops/app-id` (Parameter Store,
 * decrypted), `secretsmanager:fsm-gitops/private-key` (Secrets Manager), or `plain:value` for tests.
 */
export type SecretRef = string;

const cache = new Map<string, Promise<string>>();

/** Reads a setting once per container; a failed read is tried again next time. `limits`: awsJsonCall's (default: the webhook's 4 s). */
export function readSecret(ref: SecretRef, env: Record<string, string | undefined> = process.env, limits: AwsCallLimits = {}): Promise<string> {
  let value = cache.get(ref);
  if (!value) {
    value = fetchSecret(ref, env, limits);
    value.catch(() => cache.delete(ref));
    cache.set(ref, value);
  }
  return value;
}

/** For tests: forget what was read. */
export function clearSecretCache(): void {
  cache.clear();
}

async function fetchSecret(ref: SecretRef, env: Record<string, string | undefined>, limits: AwsCallLimits): Promise<string> {
  const colon = ref.indexOf(':');
  const kind = ref.slice(0, colon);
  const name = ref.slice(colon + 1);
  if (kind === 'plain') return name;
  if (kind === 'ssm') {
    const answer = await awsJsonCall<{ Parameter?: { Value?: string } }>('ssm', 'AmazonSSM.GetParameter', { Name: name, WithDecryption: true }, env, limits);
    if (answer.Parameter?.Value === undefined) throw new Error(`SSM parameter ${name} has no value`);
    return answer.Parameter.Value;
  }
  if (kind === 'secretsmanager') {
    const answer = await awsJsonCall<{ SecretString?: string }>('secretsmanager', 'secretsmanager.GetSecretValue', { SecretId: name }, env, limits);
    if (answer.SecretString === undefined) throw new Error(`secret ${name} has no SecretString`);
    return answer.SecretString;
  }
  throw new Error(`setting reference "${ref}" must start with ssm:, secretsmanager: or plain:`);
}

/** The reference an environment variable holds, or a clear error naming the variable. */
export function secretRef(env: Record<string, string | undefined>, variable: string): SecretRef {
  const ref = env[variable];
  if (!ref) throw new Error(`${variable} is not set: it names where the setting is stored (ssm:/path or secretsmanager:name)`);
  return ref;
}
