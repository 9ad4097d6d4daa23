import distance from 'damerau-levenshtein';

/** Longer words are never compared: a near miss is a short typo, and the distance is quadratic in length. */
const MAX_WORD = 64;

/**
 * The candidate closest to `word` (case-insensitive Damerau-Levenshtein distance: a swapped pair of letters is
 * one step, so `plna` is one step from `plan`), if it is at most `maxSteps` away and the steps do not rewrite
 * the whole word; `word` itself is never suggested. Bounded: words over 64 characters, and candidates whose
 * length differs by more than `maxSteps`, are not compared.
 */
export function didYouMean(word: string, candidates: Iterable<string>, maxSteps = 2): string | undefined {
  if (word.length === 0 || word.length > MAX_WORD) return undefined;
  const wanted = word.toLowerCase();
  let best: { candidate: string; steps: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === word || Math.abs(candidate.length - word.length) > maxSteps) continue;
    const steps = distance(wanted, candidate.toLowerCase()).steps;
    if (steps <= maxSteps && steps < word.length && (!best || steps < best.steps)) best = { candidate, steps };
  }
  return best?.candidate;
}

/** ` (did you mean "x"?)` for a message, or '' when no candidate is close (didYouMean). */
export function didYouMeanNote(word: string, candidates: Iterable<string>): string {
  const suggestion = didYouMean(word, candidates);
  return suggestion === undefined ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`;
}

/**
 * didYouMeanNote for many words, each among the candidates of its group (`group` names them: a namespace's
 * Services), costing at most `budget` comparisons in all: each comparison is a distance computation, and one
 * word against 100,000 candidates is 100,000 of them. A word whose candidates of a near length (the only ones
 * didYouMean compares) exceed what is left of the budget gets '' without a comparison; the same word in the
 * same group is answered once.
 */
export function budgetedDidYouMean(budget: number): (word: string, group: string, candidates: Iterable<string>) => string {
  let left = budget;
  const byLength = new Map<string, Map<number, string[]>>();
  const answered = new Map<string, string>();
  return (word, group, candidates) => {
    const key = JSON.stringify([group, word]);
    const known = answered.get(key);
    if (known !== undefined) return known;
    let lengths = byLength.get(group);
    if (!lengths) byLength.set(group, (lengths = groupByLength(candidates)));
    const near = [-2, -1, 0, 1, 2].map((delta) => lengths.get(word.length + delta) ?? []);
    const comparisons = near.reduce((sum, same) => sum + same.length, 0);
    let note = '';
    if (comparisons <= left) {
      note = didYouMeanNote(word, near.flat());
      left -= comparisons;
    }
    answered.set(key, note);
    return note;
  };
}

function groupByLength(words: Iterable<string>): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const word of words) {
    const same = groups.get(word.length);
    if (same) same.push(word);
    else groups.set(word.length, [word]);
  }
  return groups;
}
