import { RepoConfigError } from '../config/repo-config.ts';
import { LiveStateError } from '../live/live-state.ts';
import { UsageError } from '../workflow/plan-repository.ts';
import { EXIT } from './exit-codes.ts';
import { APPLY_HELP, MAIN_HELP, PLAN_HELP } from './help.ts';
import { applyCommand } from './apply-command.ts';
import { LeaseLostError, LockBusyError } from '../apply/lock.ts';
import { DeadlineExceededError } from '../kube/kube-client.ts';
import { KubeApiError, KubeUnreachableError } from '../kube/kube-errors.ts';
import { ClusterCredentialsError } from '../kube/credentials/cluster-credentials.ts';
import { redactShapes } from '../redact/secret-shapes.ts';
import type { CliIo } from './io.ts';
import { planCommand } from './plan-command.ts';
import { version } from './version.ts';

const COMMANDS: Record<string, { run(args: string[], io: CliIo): Promise<number>; help: string }> = {
  plan: { run: planCommand, help: PLAN_HELP },
  apply: { run: applyCommand, help: APPLY_HELP },
};

/**
 * Runs one CLI invocation and returns its exit code; never throws for a user's mistake. Everything written
 * to stderr (progress, warnings, errors that may quote a server URL or a connection string) passes the
 * credential-shape redaction; stdout carries plans, which are redacted as they are made.
 */
export async function runCli(argv: string[], rawIo: CliIo): Promise<number> {
  const io: CliIo = { ...rawIo, stderr: (text) => rawIo.stderr(redactShapes(text)) };
  const [command, ...args] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout(MAIN_HELP);
    return command === undefined ? EXIT.failed : EXIT.ok;
  }
  if (command === '-v' || command === '--version') {
    io.stdout(`${await version()}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    io.stderr(`fsm-gitops: unknown command "${command}"\n\n${MAIN_HELP}`);
    return EXIT.failed;
  }
  try {
    return await entry.run(args, io);
  } catch (error) {
    return reportFailure(error, entry.help, io);
  }
}

/** Failures a user can act on: said in one line, exit 3, no stack trace. */
const EXPECTED_ERRORS = [UsageError, RepoConfigError, LiveStateError, LockBusyError, KubeApiError, KubeUnreachableError, DeadlineExceededError, LeaseLostError, ClusterCredentialsError];

function reportFailure(error: unknown, help: string, io: CliIo): number {
  if (isArgsError(error)) {
    io.stderr(`fsm-gitops: ${(error as Error).message}\n\n${help}`);
    return EXIT.failed;
  }
  if (error instanceof Error && EXPECTED_ERRORS.some((kind) => error instanceof kind)) {
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
