import { EXIT } from './exit-codes.ts';
import { didYouMean } from '../core/did-you-mean.ts';
import { MAIN_HELP } from './help.ts';
import { Redactor } from '../redact/redactor.ts';
import { terminalSafe, visible } from '../render/terminal-text.ts';
import type { CliIo } from './io.ts';
import { version } from './version.ts';

/**
 * Each command's module is loaded when it runs: `--version` and `--help` load none of the planning code
 * (YAML, ajv, acorn, the rules), and a snapshot plan never loads @kubernetes/client-node or the AWS SDK,
 * which only a cluster needs. The bundle (scripts/build-cli.ts) keeps each import() a chunk of its own.
 */
const COMMANDS = new Map<string, { run(args: string[], io: CliIo): Promise<number> }>([
  ['plan', { run: async (args, io) => (await import('./plan-command.ts')).planCommand(args, io) }],
  ['apply', { run: async (args, io) => (await import('./apply-command.ts')).applyCommand(args, io) }],
]);

/**
 * Runs one CLI invocation and returns its exit code; never throws for a user's mistake. Everything written
 * to stderr (progress, warnings, errors that may quote a server URL or a connection string) passes the
 * Redactor: credential shapes, and the credentials the command learnt (its kubeconfig's, io.learnSecrets);
 * stdout carries plans, which are redacted as they are made. Every byte for the terminal passes terminal-text.ts: control characters and escape sequences from data are shown as
 * `\u001b`-style escapes, only the text renderer's own colours go through (stdout; stderr has none).
 */
export async function runCli(argv: string[], rawIo: CliIo): Promise<number> {
  const redactor = new Redactor();
  const io: CliIo = {
    ...rawIo,
    stdout: (text) => rawIo.stdout(terminalSafe(text)),
    stderr: (text) => rawIo.stderr(visible(redactor.text(text), true)),
    ask: (question, signal) => rawIo.ask(visible(redactor.text(question), true), signal),
    learnSecrets: (kind, value) => redactor.learn(kind, value),
  };
  const [command, ...args] = argv;
  // `help plan` is `plan --help`.
  if (command === 'help' && args.length === 1 && COMMANDS.has(args[0]!)) return runCli([args[0]!, '--help'], rawIo);
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout(MAIN_HELP);
    return command === undefined ? EXIT.failed : EXIT.ok;
  }
  if (command === '-v' || command === '--version') {
    io.stdout(`${await version()}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS.get(command);
  if (!entry) {
    const near = didYouMean(command, [...COMMANDS.keys()]);
    io.stderr(`fsm-gitops: unknown command "${command}"${near ? `: did you mean "${near}"?` : ''}\nRun 'fsm-gitops --help' for the commands.\n`);
    return EXIT.failed;
  }
  try {
    return await entry.run(args, io);
  } catch (error) {
    return reportFailure(error, command, io, await expectedErrors(error));
  }
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The failures a user can act on (said in one line, exit 3, no stack trace), for an error a command threw.
 * Their modules are loaded here, not at start-up (the command that threw has loaded them already); the
 * cluster modules' only when the error is none of the others, so a snapshot plan's failure never loads them.
 */
async function expectedErrors(error: unknown): Promise<ErrorClass[]> {
  if (!(error instanceof Error)) return [];
  const [config, live, workflow, kube] = await Promise.all([import('../config/repo-config.ts'), import('../live/live-state.ts'), import('../workflow/usage-error.ts'), import('../kube/kube-errors.ts')]);
  const expected: ErrorClass[] = [workflow.UsageError, config.RepoConfigError, live.LiveStateError, kube.KubeApiError, kube.KubeUnreachableError, kube.KubeconfigCredentialsError];
  if (expected.some((kind) => error instanceof kind)) return expected;
  const [lock, client, credentials] = await Promise.all([import('../apply/lock.ts'), import('../kube/kube-client.ts'), import('../kube/credentials/cluster-credentials.ts')]);
  return [...expected, lock.LockBusyError, lock.LeaseLostError, client.DeadlineExceededError, credentials.ClusterCredentialsError];
}

function reportFailure(error: unknown, command: string, io: CliIo, expected: readonly ErrorClass[]): number {
  if (isArgsError(error)) {
    // The one line that says what is wrong, and where the options are: not the whole help under it.
    io.stderr(`fsm-gitops: ${(error as Error).message}\nRun 'fsm-gitops ${command} --help' for its options.\n`);
    return EXIT.failed;
  }
  if (error instanceof Error && expected.some((kind) => error instanceof kind)) {
    io.stderr(`fsm-gitops: ${error.message}\n`);
    return EXIT.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`fsm-gitops: unexpected failure: ${message}\nThis is a bug in fsm-gitops; please report it with the command you ran.\n`);
  if (io.env['FSM_GITOPS_DEBUG']) io.stderr(`${(error as Error).stack ?? ''}\n`);
  return EXIT.failed;
}

/** node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed flags. */
function isArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
