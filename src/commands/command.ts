/** The `/fsm` comment commands, parsed. docs/github-app.md is the user's reference. */
export const COMMAND_NAMES = ['help', 'plan', 'apply', 'unlock', 'status', 'rollback'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/**
 * What a rollback returns to: a GitHub Deployment id, or a commit (7 to 40 hex digits, lowercase). Digits
 * alone are a deployment id; when there are 7 to 40 of them they may also be a commit (`sha`), tried when
 * no deployment of the environment has that id.
 */
export type RollbackTarget = { kind: 'deployment'; id: number; sha?: string } | { kind: 'sha'; sha: string };

export type Command =
  | { name: 'help'; topic?: CommandName }
  | { name: 'plan' | 'apply' | 'unlock'; environments: string[] }
  | { name: 'status' }
  | { name: 'rollback'; environment: string; target: RollbackTarget };

/** Commands that change a cluster: they need write permission (rollback: maintain) and never run for a fork. */
export const CHANGES_CLUSTER: ReadonlySet<CommandName> = new Set(['apply', 'unlock', 'rollback']);

/** Commands that make sense on an issue as well as on a pull request. */
export const WORKS_ON_ISSUES: ReadonlySet<CommandName> = new Set(['help', 'status', 'rollback']);

const SYNOPSIS: Record<CommandName, [string, string]> = {
  help: ['/fsm help [command]', 'this help'],
  plan: ['/fsm plan [env...]', 'plan this pull request again (the environments it touches, or those named)'],
  apply: ['/fsm apply [env...]', 'apply this pull request before merge (environments with deploy: on-command)'],
  unlock: ['/fsm unlock [env...]', "release an environment's claim and its rollback pin"],
  status: ['/fsm status', 'last deploy, claim, pin and drift of every environment'],
  rollback: ['/fsm rollback <env> <deployment-id|sha>', 'return an environment to an earlier successful deploy'],
};

/** The usage text: every command, or one. Plain text, for a code block. */
export function usage(topic?: CommandName): string {
  const names = topic ? [topic] : COMMAND_NAMES;
  const width = Math.max(...names.map((n) => SYNOPSIS[n][0].length));
  const lines = names.map((n) => `  ${SYNOPSIS[n][0].padEnd(width)}  ${SYNOPSIS[n][1]}`);
  return [topic ? 'Usage:' : 'Usage: /fsm <command> [arguments]', '', ...lines].join('\n');
}
