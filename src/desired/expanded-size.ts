/**
 * True when a value, with every alias expanded, holds more than `limit` nodes.
 * Aliased subtrees are shared objects, so sizes are memoized per object: a billion-laughs document
 * is measured in as many steps as it has distinct nodes.
 */
export function expandedSizeExceeds(value: unknown, limit: number): boolean {
  const sizes = new Map<object, number>();
  const sizeOf = (node: unknown): number => {
    if (typeof node !== 'object' || node === null) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    sizes.set(node, Infinity); // a cycle (not possible from YAML, but cheap to guard) counts as too large
    let total = 1;
    for (const child of Object.values(node)) {
      total += sizeOf(child);
      if (total > limit) break;
    }
    sizes.set(node, total);
    return total;
  };
  return sizeOf(value) > limit;
}
