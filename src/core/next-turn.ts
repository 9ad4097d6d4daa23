/** Resolves at the event loop's next turn: answers that arrived meanwhile are handled and the next requests sent. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
