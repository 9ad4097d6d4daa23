/**
 * Appends `items` to `target` one by one and returns `target`. `target.push(...items)` passes every item as
 * a call argument, which overflows the stack somewhere past 100,000 items (V8): the plan and renderers
 * handle arrays of user-sized length (findings, diff lines), so they append with this.
 */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** The largest of `values`, or `floor` when there is none larger: `Math.max(...values)` without the argument spread. */
export function maxOf(values: Iterable<number>, floor: number): number {
  let max = floor;
  for (const value of values) if (value > max) max = value;
  return max;
}
