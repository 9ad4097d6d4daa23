import type { LiveState, LiveStateReader, MeshRef } from '../live/live-state.ts';
import { Ahead } from './ahead.ts';

/**
 * An environment's live state, its read started ahead of the work that does not need it (loading the
 * desired files, parsing their scripts): the API server answers while this process computes. planAgainst()
 * takes one in place of a reader.
 */
export class LiveRead {
  private constructor(
    readonly mesh: MeshRef,
    private readonly source: Ahead<LiveStateReader>,
    readonly state: Ahead<LiveState>,
  ) {}

  /**
   * Starts reading `mesh`'s live state now. `reader` may be one still to be made (the app's cluster
   * credentials): its failure is the read's. `state.stop()` (meanwhile(), when the work the read overlaps
   * fails) stops the read: no further request or retry, those in flight cut off.
   */
  static start(reader: LiveStateReader | (() => Promise<LiveStateReader>), mesh: MeshRef): LiveRead {
    const source = typeof reader === 'function' ? Ahead.start(reader) : Ahead.of(reader);
    const state = Ahead.start(async (signal) => (await source.result()).read(mesh, signal));
    return new LiveRead(mesh, source, state);
  }

  /** Where the state comes from (for the server's dry run and helm's connection). */
  reader(): Promise<LiveStateReader> {
    return this.source.result();
  }
}
