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
