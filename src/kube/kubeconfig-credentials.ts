import type { KubeConfig } from '@kubernetes/client-node';
import type { JsonObject, JsonValue } from '../core/json.ts';

/**
 * The credentials of a kubeconfig's users, in the kubeconfig's own field names (Kubernetes docs, "Organizing
 * Cluster Access Using kubeconfig Files": `token`, `password`, `client-key-data`, an exec plugin's `env`, an
 * auth provider's `config`), for Redactor.learn: a message that quotes one (an exec plugin's error echoing
 * its environment) then shows `••••••`. Only strings; names, commands and files are left out.
 */
export function kubeconfigCredentials(config: Pick<KubeConfig, 'users'>): JsonObject {
  return {
    users: config.users.map((user) => ({
      user: {
        ...strings({ token: user.token, password: user.password, 'client-key-data': user.keyData }),
        exec: { env: plainJson(isRecord(user.exec) ? user.exec['env'] : undefined) },
        'auth-provider': { config: plainJson(isRecord(user.authProvider) ? user.authProvider['config'] : undefined) },
      },
    })),
  };
}

function strings(fields: Record<string, string | undefined>): JsonObject {
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The value as plain JSON (the kubeconfig's YAML parsed), or null. */
function plainJson(value: unknown): JsonValue {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value)) as JsonValue;
  } catch {
    return null;
  }
}
