import type { Finding, Severity } from './finding.ts';
import { formatPath, type JsonPath } from './json.ts';
import type { RuleCode } from './rule-codes.ts';

/** Something that can place a JSON path on a line of a repository file. */
export interface Located {
  file: string;
  locate(path: JsonPath): { line: number; column: number };
}

export function findingAt(
  source: Located,
  path: JsonPath,
  severity: Severity,
  code: RuleCode,
  message: string,
): Finding {
  const { line, column } = source.locate(path);
  const finding: Finding = { severity, code, message, file: source.file, line, column };
  if (path.length > 0) finding.path = formatPath(path);
  return finding;
}

export function findingInFile(
  file: string,
  line: number,
  column: number,
  severity: Severity,
  code: RuleCode,
  message: string,
): Finding {
  return { severity, code, message, file, line, column };
}
