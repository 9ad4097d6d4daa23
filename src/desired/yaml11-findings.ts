import type { Finding } from '../core/finding.ts';
import { findingInFile } from '../core/findings.ts';
import type { GoScalar } from './go-yaml-scalars.ts';
import type { Yaml11Spelling } from './yaml-file.ts';

/** Notices per file before one summary line: a file written in YAML 1.1 style says so without flooding the plan. */
export const MAX_YAML11_NOTICES_PER_FILE = 10;

/**
 * One `yaml11-scalar` notice per plain scalar that Helm and kubectl (YAML 1.1) read differently from YAML 1.2
 * tools, at its line: fsm-gitops reads it as Helm and kubectl do, and says what to write to mean the same everywhere.
 * Under a credential's key (`isSecret` of any key above it), or as the `value` of a name/value pair (which
 * its sibling `name` may make a credential: `{name: X-Api-Key, value: 0604713}`, src/redact/redactor.ts), the
 * notice names no value, neither reading.
 */
export function yaml11Findings(file: string, spellings: readonly Yaml11Spelling[], isSecret: (key: string) => boolean = () => false): Finding[] {
  const findings = spellings.slice(0, MAX_YAML11_NOTICES_PER_FILE).map((s) =>
    findingInFile(
      file,
      s.line,
      s.column,
      'notice',
      'yaml11-scalar',
      s.keys.some(isSecret) || s.keys.at(-1)?.toLowerCase() === 'value'
        ? // A credential's value is never quoted (src/redact), not even its own spelling; everything under its key is one.
          `a value under ${s.keys.join('.')} is read as ${kindOf(s.helm)}, as Helm and kubectl read YAML (YAML 1.1); YAML 1.2 tools such as yq read ${kindOf(s.yaml12)}. Quote it to mean the text as written`
        : `\`${s.text}\` is read as ${show(s.helm)}, as Helm and kubectl read YAML (YAML 1.1); YAML 1.2 tools such as yq read ${show(s.yaml12)}. Write ${unambiguous(s.helm)} to mean ${show(s.helm)}, or "${s.text}" (quoted) to mean the text`,
    ),
  );
  const more = spellings.length - findings.length;
  const last = spellings[MAX_YAML11_NOTICES_PER_FILE];
  if (more > 0 && last) {
    findings.push(findingInFile(file, last.line, last.column, 'notice', 'yaml11-scalar', `${more} more YAML 1.1 spelling${more === 1 ? '' : 's'} in this file, from here on, are read as Helm and kubectl read them`));
  }
  return findings;
}

function show(scalar: GoScalar): string {
  switch (scalar.kind) {
    case 'str':
      return `the string "${scalar.value}"`;
    case 'null':
      return 'null';
    case 'bool':
      return String(scalar.value);
    default:
      return `the number ${String(scalar.value)}`;
  }
}

/** What a reading is, without its value: `a number`, `a string`. */
function kindOf(scalar: GoScalar): string {
  return scalar.kind === 'str' ? 'a string' : scalar.kind === 'null' ? 'null' : scalar.kind === 'bool' ? 'a boolean' : 'a number';
}

function unambiguous(scalar: GoScalar): string {
  return scalar.kind === 'str' ? `"${scalar.value}"` : String(scalar.value);
}
