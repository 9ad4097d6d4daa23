/**
 * A set of literal strings masked wherever they occur in a text, in one pass: an Aho–Corasick automaton
 * (Aho & Corasick 1975) over UTF-16 code units, so masking costs O(text + secrets), not O(text × secrets)
 * as one `split(secret)` per secret did (1,000 known secrets × every string of a plan was quadratic).
 *
 * Every character that any occurrence of any secret covers is masked: overlapping occurrences become one
 * `mask`, each separate occurrence its own. Code units, not graphemes: a secret followed by a combining
 * mark is still found (grapheme-aware libraries would leave it, which is why none is used here).
 */
export class SecretMatcher {
  // Transitions: each node's first child in two flat arrays, further children in a map per branching node
  // (a long secret is a long chain: no map per node). Node 0 is the root.
  private readonly firstUnit: number[] = [-1];
  private readonly firstChild: number[] = [0];
  private readonly more = new Map<number, Map<number, number>>();
  private readonly fail: number[] = [0];
  /** Per node: the length of the longest secret ending at it (its own, or one reachable by failure links), 0 for none. */
  private readonly longest: number[] = [0];

  /** secrets: the literal strings to find (empty ones are ignored). */
  constructor(secrets: Iterable<string>) {
    for (const secret of secrets) if (secret !== '') this.add(secret);
    this.link();
  }

  private add(secret: string): void {
    let node = 0;
    for (let i = 0; i < secret.length; i++) {
      const unit = secret.charCodeAt(i);
      let child = this.child(node, unit);
      if (child === undefined) {
        child = this.fail.length;
        this.firstUnit.push(-1);
        this.firstChild.push(0);
        this.fail.push(0);
        this.longest.push(0);
        if (this.firstUnit[node] === -1) {
          this.firstUnit[node] = unit;
          this.firstChild[node] = child;
        } else this.more.set(node, (this.more.get(node) ?? new Map<number, number>()).set(unit, child));
      }
      node = child;
    }
    this.longest[node] = Math.max(this.longest[node]!, secret.length);
  }

  /** Failure links breadth first; each node's `longest` also covers the secrets its failure link ends. */
  private link(): void {
    const queue = [0];
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head]!;
      if (this.firstUnit[node] !== -1) this.linkChild(node, this.firstUnit[node]!, this.firstChild[node]!, queue);
      for (const [unit, child] of this.more.get(node) ?? []) this.linkChild(node, unit, child, queue);
    }
  }

  private linkChild(node: number, unit: number, child: number, queue: number[]): void {
    this.fail[child] = node === 0 ? 0 : this.step(this.fail[node]!, unit);
    this.longest[child] = Math.max(this.longest[child]!, this.longest[this.fail[child]!]!);
    queue.push(child);
  }

  private step(from: number, unit: number): number {
    for (let node = from; ; node = this.fail[node]!) {
      const child = this.child(node, unit);
      if (child !== undefined) return child;
      if (node === 0) return 0;
    }
  }

  private child(node: number, unit: number): number | undefined {
    return this.firstUnit[node] === unit ? this.firstChild[node] : this.more.get(node)?.get(unit);
  }

  /** Whether the automaton holds no secret. */
  get empty(): boolean {
    return this.fail.length === 1;
  }

  /**
   * The text with each run of characters covered by secrets replaced by `mask`. O(text length). `accept`
   * (the text, a run's start and end) may keep a run as it is: a word inside a longer name.
   */
  mask(text: string, mask: string, accept?: (text: string, start: number, end: number) => boolean): string {
    if (this.empty) return text;
    const runs: [number, number][] = []; // [start, end) of masked runs, merged while they overlap
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      node = this.step(node, text.charCodeAt(i));
      const length = this.longest[node]!;
      if (length === 0) continue;
      let start = i + 1 - length;
      while (runs.length > 0 && runs.at(-1)![1] > start) start = Math.min(start, runs.pop()![0]);
      runs.push([start, i + 1]);
    }
    const masked = accept ? runs.filter(([start, end]) => accept(text, start, end)) : runs;
    if (masked.length === 0) return text;
    const parts: string[] = [];
    let at = 0;
    for (const [start, end] of masked) {
      parts.push(text.slice(at, start), mask);
      at = end;
    }
    parts.push(text.slice(at));
    return parts.join('');
  }
}
