/** Labels and annotations fsm-gitops puts on what it applies: prune only ever deletes objects carrying both labels. */
export const FIELD_MANAGER = 'fsm-gitops';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'fsm-gitops';
export const ENVIRONMENT_LABEL = 'fsm-gitops.io/environment';
export const COMMIT_ANNOTATION = 'fsm-gitops.io/commit';
/**
 * On a repository manifest: adopt the live object of the same name although fsm-gitops did not create it
 * (`"true"`), or although another environment owns it (`"from-environment:<name>"`). See src/plan/ownership.ts.
 */
export const ADOPT_ANNOTATION = 'fsm-gitops.io/adopt';
