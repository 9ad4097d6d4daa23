/** The signals a user or a CI runner stops a command with: Ctrl-C, and a job's cancel (SIGINT, then SIGTERM). */
export type Interrupt = 'SIGINT' | 'SIGTERM';

/** A command's work was stopped by an interrupt: the reason its AbortSignal carries. */
export class InterruptedError extends Error {
  constructor(readonly interrupt: Interrupt) {
    super(interrupt === 'SIGINT' ? 'interrupted (Ctrl-C)' : 'stopped by SIGTERM');
    this.name = 'InterruptedError';
  }
}

/** A process's exit code after `interrupt`, as shells report it: 128 + the signal's number (130, 143). */
export function interruptExitCode(interrupt: Interrupt): number {
  return interrupt === 'SIGINT' ? 130 : 143;
}
