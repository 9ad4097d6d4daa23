import { EVENT_ID, type Event } from 'js-yaml';

/**
 * How many values alias expansion adds to a document: its size with every alias expanded, minus its size as
 * written (each node once). A billion-laughs file adds billions; a cluster-wide `kubectl get -o yaml` List,
 * however large, adds nothing, since it has no aliases. Stops counting past `limit`.
 * Aliased subtrees are shared objects, so sizes are memoized per object: a billion-laughs document
 * is measured in as many steps as it has distinct nodes.
 */
export function aliasExpansionExceeds(value: unknown, limit: number): boolean {
  const expanded = new Map<object, number>();
  let written = 0;
  const sizeOf = (node: unknown): number => {
    if (typeof node !== 'object' || node === null) return 1;
    const known = expanded.get(node);
    if (known !== undefined) return known;
    expanded.set(node, Infinity); // a cycle (not possible from YAML, but cheap to guard) counts as too large
    written += 1;
    let total = 1;
    for (const child of Object.values(node)) {
      if (typeof child !== 'object' || child === null) written += 1;
      total += sizeOf(child);
      if (total - written > limit) break;
    }
    expanded.set(node, total);
    return total;
  };
  const total = sizeOf(value);
  return total - Math.max(written, 1) > limit;
}

/**
 * Where a document's alias expansion passes `limit`: the text offset of the `*` of the alias at which the
 * values added so far (each alias adds its anchor's expanded size less the one node it is written as)
 * first exceed the limit, walking the parser events in order; the document's last alias if the count never
 * gets there, undefined for a document without aliases. `documentIndex` is 0-based.
 */
export function aliasLimitOffset(text: string, events: readonly Event[], documentIndex: number, limit: number): number | undefined {
  const anchors = new Map<string, number>();
  const frames: { anchor: string | undefined; size: number }[] = [];
  const name = (start: number, end: number): string | undefined => (start >= 0 ? text.slice(start, end) : undefined);
  const close = (size: number, anchor: string | undefined): void => {
    if (anchor !== undefined) anchors.set(anchor, size);
    const parent = frames[frames.length - 1];
    if (parent) parent.size += size;
  };
  let document = -1;
  let added = 0;
  let lastAlias: number | undefined;
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      document += 1;
      if (document > documentIndex) break;
      continue;
    }
    if (document !== documentIndex) continue;
    switch (event.type) {
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE:
        frames.push({ anchor: name(event.anchorStart, event.anchorEnd), size: 1 });
        break;
      case EVENT_ID.POP: {
        const frame = frames.pop();
        if (frame) close(frame.size, frame.anchor);
        break;
      }
      case EVENT_ID.SCALAR:
        close(1, name(event.anchorStart, event.anchorEnd));
        break;
      case EVENT_ID.ALIAS: {
        const size = anchors.get(text.slice(event.anchorStart, event.anchorEnd)) ?? 1;
        lastAlias = Math.max(event.anchorStart - 1, 0);
        added += size - 1;
        if (added > limit) return lastAlias;
        close(size, undefined);
        break;
      }
    }
  }
  return lastAlias;
}
