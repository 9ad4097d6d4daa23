/** `1 object`, `2 objects`: a count and its noun, the noun given in the singular and made plural with an `s`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
