import { nextTurn } from '../core/next-turn.ts';
import type { EnvironmentPlan } from '../plan/plan-types.ts';
import { renderText } from '../render/text.ts';
import { prepareDiffs } from '../render/unified-diff.ts';
import type { CliIo } from './io.ts';

/**
 * `apply --yes`: the plan is printed while the first writes go out, not before them. Nothing waits for an answer,
 * so the writes need not wait for the render either (its diffs, js-yaml dumps, take ~0.1 s per 500 objects): they
 * are made in slices between the writes' answers (prepareDiffs), then the text is printed. Progress said meanwhile
 * is held and said right after it, so the output reads as before: the plan, then each step.
 *
 * Only the text's timing moves: the plan was made, checked for errors and accepted (--yes) before any write.
 */
export class PlanShownWhileApplying {
  private held: string[] | undefined = [];
  private readonly shown: Promise<void>;

  /**
   * Prepares `plan`'s text from `pause()`'s end on (the writes sent in this turn go out first), awaiting it again
   * between slices of the work; default pause: the event loop's next turn.
   */
  constructor(
    plan: EnvironmentPlan,
    private readonly io: Pick<CliIo, 'stdout' | 'stderr'>,
    color: boolean,
    pause: () => Promise<void> = nextTurn,
  ) {
    this.shown = this.show(plan, color, pause);
  }

  /** Says `text` on stderr, after the plan: held until it is printed. */
  stderr(text: string): void {
    if (this.held) this.held.push(text);
    else this.io.stderr(text);
  }

  /** Resolves once the plan is printed and what was held said. Never rejects: a render that failed is said on stderr. */
  done(): Promise<void> {
    return this.shown;
  }

  private async show(plan: EnvironmentPlan, color: boolean, pause: () => Promise<void>): Promise<void> {
    try {
      await pause();
      await prepareDiffs(plan.changes, pause);
      this.io.stdout(renderText({ environments: [plan] }, { color }));
    } catch (error) {
      this.io.stderr(`fsm-gitops: the plan could not be printed: ${(error as Error).message}\n`);
    } finally {
      const held = this.held ?? [];
      this.held = undefined;
      for (const text of held) this.io.stderr(text);
    }
  }
}
