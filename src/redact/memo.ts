/** Names longer than this are not remembered: a key or header name is short, and a long one costs more to keep than to judge. */
const MAX_REMEMBERED_LENGTH = 256;
/** Entries kept before the memo starts over: a long-lived Redactor (the log's) meets unbounded names. */
const MAX_ENTRIES = 10_000;

/**
 * `judge` (a pure function of a string) remembering its answers for short strings, at most MAX_ENTRIES of
 * them (then it forgets them all), so memory stays bounded whatever a process is shown.
 */
export function memoized<T>(judge: (text: string) => T): (text: string) => T {
  const answers = new Map<string, T>();
  return (text) => {
    if (text.length > MAX_REMEMBERED_LENGTH) return judge(text);
    const known = answers.get(text);
    if (known !== undefined || answers.has(text)) return known as T;
    const answer = judge(text);
    if (answers.size >= MAX_ENTRIES) answers.clear();
    answers.set(text, answer);
    return answer;
  };
}
