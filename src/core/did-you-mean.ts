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
