/** Where a repository's fsm-gitops config is, in order: the first that exists is read. */
export const REPO_CONFIG_PATHS = ['.github/fsm-gitops.yml', '.github/fsm-gitops.yaml'] as const;

/** A repository config is at most this large; a larger one is refused by its size, without reading it. */
export const MAX_CONFIG_BYTES = 256 * 1024;

/** The mesh an environment deploys to when its `mesh:` leaves a field out (FSM's chart defaults: mesh `fsm` in `fsm-system`). */
export const DEFAULT_MESH = { name: 'fsm', namespace: 'fsm-system' } as const;
