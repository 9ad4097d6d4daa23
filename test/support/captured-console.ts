/** Runs `body` with console.log and console.error captured, one entry per call (each call's arguments joined by spaces). */
export async function captured(body: () => Promise<void> | void): Promise<string[]> {
  const lines: string[] = [];
  const { log, error } = console;
  console.log = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  console.error = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  try {
    await body();
  } finally {
    console.log = log;
    console.error = error;
  }
  return lines;
}
