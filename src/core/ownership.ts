/** Labels and annotations fsm-gitops puts on what it applies: prune only ever deletes objects carrying both labels. */
export const FIELD_MANAGER = 'fsm-gitops';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'fsm-gitops';
export const ENVIRONMENT_LABEL = 'fsm-gitops.io/environment';
export const COMMIT_ANNOTATION = 'fsm-gitops.io/commit';
