import { EVENT_ID, getScalarValue, type Event, type ScalarEvent } from 'js-yaml';
import type { JsonPath } from '../core/json.ts';

/**
 * Int32s per event on the tape: [type | style << 3 | chomping << 6 | fast << 8, offset, scalar end, scalar indent].
 * The offset is a collection's `start`, a scalar's `valueStart` or an alias's `anchorStart` (-1: absent).
 */
const STRIDE = 4;
const FAST = 1 << 8;

/**
 * Where the documents of parsed text stand: each document's start, read in one pass over js-yaml's events,
 * and the offset of every mapping key and sequence item by path, worked out for a document only when a
 * path inside it is first asked for (a plan asks only for documents' starts; a path, only to report a finding).
 *
 * The events themselves are not kept (js-yaml's event objects take ~9 bytes per byte of YAML): the pass copies
 * what the paths need onto a tape of STRIDE int32s per event (16 bytes per event, ~1.6 bytes per byte of YAML).
 * Offsets are into the parsed text; -1 is js-yaml's "absent" (the value of an empty node).
 */
export class YamlLocations {
  /** Offset of each document's root node (its first node event; 0 for a document without one). */
  readonly starts: number[] = [];
  /** Whether the text holds an alias (`*name`): only then can a document expand beyond what it holds. */
  readonly aliased: boolean;
  private readonly tape: Int32Array;
  /** Index of each document's DOCUMENT event. */
  private readonly firsts: number[] = [];
  private readonly paths: (Map<string, number> | undefined)[] = [];

  constructor(
    private readonly text: string,
    events: readonly Event[],
  ) {
    const tape = new Int32Array(events.length * STRIDE);
    let aliased = false;
    let rootPending = false;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      const at = i * STRIDE;
      let offset: number;
      switch (event.type) {
        case EVENT_ID.DOCUMENT:
          tape[at] = event.type;
          this.firsts.push(i);
          this.starts.push(0);
          rootPending = true;
          continue;
        case EVENT_ID.POP:
          tape[at] = event.type;
          continue;
        case EVENT_ID.MAPPING:
        case EVENT_ID.SEQUENCE:
          offset = event.start;
          tape[at] = event.type;
          break;
        case EVENT_ID.SCALAR:
          offset = event.valueStart;
          tape[at] = event.type | (event.style << 3) | (event.chomping << 6) | (event.fast ? FAST : 0);
          tape[at + 2] = event.valueEnd;
          tape[at + 3] = event.indent;
          break;
        case EVENT_ID.ALIAS:
          offset = event.anchorStart;
          tape[at] = event.type;
          aliased = true;
          break;
      }
      tape[at + 1] = offset;
      if (rootPending) {
        this.starts[this.starts.length - 1] = offset;
        rootPending = false;
      }
    }
    this.tape = tape;
    this.aliased = aliased;
  }

  /** How many documents' path indexes have been built (asking only for documents' starts builds none). */
  get indexed(): number {
    return this.paths.filter((offsets) => offsets !== undefined).length;
  }

  /**
   * The offset of the node at `path` in the `document`th document (0-based), or of its nearest ancestor that
   * has one (a mapping key or a sequence item), or the document's start: a mapping value stands at its key.
   * Keys merged in by `<<` have no place of their own; an alias used as a key is `<<alias>>`.
   */
  offsetOf(document: number, path: JsonPath): number {
    if (path.length > 0) {
      const offsets = this.paths[document] ?? this.index(document);
      for (let n = path.length; n > 0; n--) {
        const offset = offsets.get(pathKey(path.slice(0, n)));
        if (offset !== undefined) return offset;
      }
    }
    return this.starts[document] ?? 0;
  }

  /** Walks the document's events once, recording the offset of every mapping key and sequence item by its pathKey (built a segment at a time). */
  private index(document: number): Map<string, number> {
    const offsets = new Map<string, number>();
    this.paths[document] = offsets;
    const from = this.firsts[document];
    if (from === undefined) return offsets;
    const to = (this.firsts[document + 1] ?? this.tape.length / STRIDE) * STRIDE;
    const tape = this.tape;
    type Frame = { kind: 'map'; at: string | undefined; key: string | undefined } | { kind: 'seq'; at: string | undefined; next: number };
    const stack: Frame[] = [];

    // Returns the pathKey of the node that starts at `offset`, recording it; undefined for the root (whose
    // offset is the document's start) and for a mapping key, which is placed where it is read.
    const enter = (offset: number): string | undefined => {
      const top = stack[stack.length - 1];
      if (!top) return undefined;
      if (top.kind === 'seq') {
        const at = childKey(top.at, top.next++);
        offsets.set(at, offset);
        return at;
      }
      if (top.key === undefined) return undefined;
      const at = childKey(top.at, top.key);
      top.key = undefined;
      return at;
    };

    for (let at = (from + 1) * STRIDE; at < to; at += STRIDE) {
      const head = tape[at]!;
      const offset = tape[at + 1]!;
      switch (head & 7) {
        case EVENT_ID.MAPPING:
          stack.push({ kind: 'map', at: enter(offset), key: undefined });
          break;
        case EVENT_ID.SEQUENCE:
          stack.push({ kind: 'seq', at: enter(offset), next: 0 });
          break;
        case EVENT_ID.SCALAR: {
          const top = stack[stack.length - 1];
          if (top?.kind === 'map' && top.key === undefined) {
            top.key = getScalarValue(this.text, scalarAt(tape, at));
            offsets.set(childKey(top.at, top.key), Math.max(offset, 0));
          } else {
            enter(offset);
          }
          break;
        }
        case EVENT_ID.ALIAS: {
          const top = stack[stack.length - 1];
          if (top?.kind === 'map' && top.key === undefined) top.key = '<<alias>>';
          else enter(offset);
          break;
        }
        case EVENT_ID.POP:
          if (stack.length > 0) stack.pop();
          break;
      }
    }
    return offsets;
  }
}

/** The scalar event at `at` on the tape, with what getScalarValue() reads of it (anchor and tag are not kept). */
function scalarAt(tape: Int32Array, at: number): ScalarEvent {
  const head = tape[at]!;
  return {
    type: EVENT_ID.SCALAR,
    valueStart: tape[at + 1]!,
    valueEnd: tape[at + 2]!,
    anchorStart: -1,
    anchorEnd: -1,
    tagStart: -1,
    tagEnd: -1,
    style: ((head >> 3) & 7) as ScalarEvent['style'],
    chomping: ((head >> 6) & 3) as ScalarEvent['chomping'],
    indent: tape[at + 3]!,
    fast: (head & FAST) !== 0,
  };
}

const pathKey = (path: JsonPath): string => path.join('\u0000');

/** The pathKey of a child of the node at `parent` (undefined: the document's root). */
const childKey = (parent: string | undefined, segment: string | number): string => (parent === undefined ? String(segment) : `${parent}\u0000${segment}`);
