import distance from 'damerau-levenshtein';

/** Longer words are never compared: a near miss is a short typo, and the distance is quadratic in length. */
const MAX_WORD = 64;

/**
 * The candidate closest to `word` (case-insensitive Damerau-Levenshtein: a swapped pair of letters is one
 * step, so `plna` is one step from `plan`), if it is at most `maxSteps` away.
 */
export function didYouMean(word: string, candidates: readonly string[], maxSteps = 2): string | undefined {
  if (word.length === 0 || word.length > MAX_WORD) return undefined;
  let best: { candidate: string; steps: number } | undefined;
  for (const candidate of candidates) {
    const steps = distance(word.toLowerCase(), candidate.toLowerCase()).steps;
    if (steps <= maxSteps && (!best || steps < best.steps)) best = { candidate, steps };
  }
  return best?.candidate;
}
