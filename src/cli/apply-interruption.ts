import { setMaxListeners } from 'node:events';
import { DEFAULT_LEASE_SECONDS } from '../apply/lease-claim.ts';
import { InterruptedError, interruptExitCode, type Interrupt } from '../core/interrupted.ts';
import type { CliIo } from './io.ts';

/**
 * Ctrl-C (or SIGTERM) during `fsm-gitops apply`, as Terraform does it: the first stops the apply at its next
 * step (`signal` aborts with an InterruptedError): before the writes nothing is written and the Lease is
 * released; during them no further write starts, helm is stopped, and what was written is rolled back and
 * recorded. The second quits at once (exit 130, or 143 for SIGTERM), leaving that undone and saying so. A CI
 * job's cancel (SIGINT, then SIGTERM seconds later) is the second case when the rollback takes longer.
 */
export class ApplyInterruption {
  private readonly controller = new AbortController();
  private readonly restore: () => void;

  constructor(private readonly io: CliIo) {
    // Each request of the plan's reads listens to it while in flight (up to the client's 16): past Node's leak warning at 10.
    setMaxListeners(0, this.controller.signal);
    this.restore = io.onInterrupt?.((interrupt) => this.interrupt(interrupt)) ?? (() => {});
  }

  /** Aborts at the first interrupt, with an InterruptedError as its reason. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The interrupt that stopped the apply, if one did. */
  get by(): Interrupt | undefined {
    const { reason } = this.controller.signal;
    return reason instanceof InterruptedError ? reason.interrupt : undefined;
  }

  /** The exit code an interrupted apply ends with (interruptExitCode), or undefined when none came. */
  exitCode(): number | undefined {
    const by = this.by;
    return by === undefined ? undefined : interruptExitCode(by);
  }

  /** Puts back the handler from before: an interrupt after the apply ended exits at once. */
  dispose(): void {
    this.restore();
  }

  private interrupt(interrupt: Interrupt): void {
    const again = interrupt === 'SIGINT' ? 'Press Ctrl-C again' : 'Send SIGTERM again';
    if (!this.controller.signal.aborted) {
      const reason = new InterruptedError(interrupt);
      this.io.stderr(`\nfsm-gitops: ${reason.message}: stopping. No further write starts; anything this apply wrote is rolled back, and its lock released. ${again} to quit at once, leaving that undone.\n`);
      this.controller.abort(reason);
      return;
    }
    this.io.stderr(
      `fsm-gitops: ${new InterruptedError(interrupt).message} again: quitting now. Anything this apply wrote is not rolled back, its history record is not written, and its lock expires by itself within ${DEFAULT_LEASE_SECONDS} s; run \`fsm-gitops plan\` to see where the environment stands.\n`,
    );
    this.io.exit?.(interruptExitCode(interrupt));
  }
}
