/**
 * Schema knowledge: fields of FSM's MeshConfig CRD and of the FSM Helm chart (charts/fsm/values.schema.json,
 * flomesh-io/fsm v1.6, copied in test/fixtures/fsm-reference) that hold a credential, whatever their
 * value's type. A value here is redacted even when its key name would not say so.
 */
export const SECRET_PATHS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  // MeshConfig spec.observability.remoteLogging.authorization: "Authorization defines the access entity that allows to authorize someone".
  MeshConfig: [['spec', 'observability', 'remoteLogging', 'authorization']],
  // A Kubernetes Secret's values (core/v1 Secret: data is base64 of the bytes, stringData the text), as the chart renders them.
  Secret: [['data'], ['stringData']],
  // The chart: remote logging's Authorization header, the Vault token, Log Analytics' key, the FLB password.
  HelmValues: [
    ['fsm', 'remoteLogging', 'authorization'],
    ['fsm', 'vault', 'token'],
    ['fsm', 'fluentBit', 'primaryKey'],
    ['fsm', 'flb', 'password'],
  ],
};

/** Whether the field at this path of an object of this kind (`HelmValues` for chart values) holds a credential. */
export function isSecretPath(kind: string, path: readonly (string | number)[]): boolean {
  return matches(SECRET_PATHS, kind, path);
}

/**
 * Fields whose names read like credentials but that hold settings (a mapping of switches, addresses and
 * timeouts), judged key by key instead: MeshConfig spec.traffic.inboundExternalAuthorization
 * (enable, address, port, statPrefix, timeout, failureModeAllow); the chart's fsm.vault.secret (the name
 * and key of the Kubernetes Secret that holds Vault's token, not the token).
 */
export const PUBLIC_PATHS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  MeshConfig: [['spec', 'traffic', 'inboundExternalAuthorization']],
  HelmValues: [['fsm', 'vault', 'secret']],
};

/** Whether the field at this path is a settings block that only looks like a credential by its name. */
export function isPublicPath(kind: string, path: readonly (string | number)[]): boolean {
  return matches(PUBLIC_PATHS, kind, path);
}

/** Whether any path of this kind holds a credential or a public settings block: for other kinds, paths need not be tracked. */
export function hasSchemaPaths(kind: string): boolean {
  return Object.hasOwn(SECRET_PATHS, kind) || Object.hasOwn(PUBLIC_PATHS, kind);
}

function matches(table: Readonly<Record<string, readonly (readonly string[])[]>>, kind: string, path: readonly (string | number)[]): boolean {
  const paths = Object.hasOwn(table, kind) ? table[kind]! : [];
  return paths.some((p) => p.length === path.length && p.every((segment, i) => segment === path[i]));
}
