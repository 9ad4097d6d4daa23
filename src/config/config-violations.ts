import type { PathSegment } from '../core/json.ts';
import { visible } from '../core/hidden-characters.ts';
import { quote } from '../schema/describe.ts';
import type { SchemaViolation } from '../schema/violation.ts';
import { DNS_LABEL, PLAIN_TEXT, REPO_CONFIG_SCHEMA, REPO_FOLDER, SEMVER, TEAM_SLUG, URL_HTTP } from './repo-config-schema.ts';

/** What each of the config schema's patterns asks for, in words, with an example: never the pattern itself. */
const PATTERN_WORDS: ReadonlyMap<string, string> = new Map([
  [DNS_LABEL, 'is not an RFC 1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters (for example fsm-system)'],
  [PLAIN_TEXT, 'holds a control character or an invisible direction mark (shown as \\uXXXX): write it as plain text'],
  [REPO_FOLDER, 'is not a folder of this repository: write it relative to the repository root, with forward slashes and no "." or ".." segments, no empty segments and no control characters (for example clusters/staging)'],
  [SEMVER, 'is not an exact chart version: write major.minor.patch as SemVer does (for example 1.6.0, or 1.6.0-rc.1; a leading v is dropped), not a range or a prefix'],
  [TEAM_SLUG, 'is not a team: write organization/team-slug (for example my-org/mesh-admins)'],
  [URL_HTTP, 'is not an http:// or https:// URL without spaces (for example https://flomesh-io.github.io/fsm)'],
]);

/**
 * A violation of the repository config's schema in the user's words (`value`: the value at its path). A pattern
 * is explained by what it asks for (PATTERN_WORDS), a key by the same words (an environment's name), a number
 * or boolean where text is expected by the quotes it needs; anything else as the schema validator says it. The
 * value is shown JSON-quoted and cut (schema/describe.ts quote), its hidden characters escaped.
 */
export function explainConfigViolation(violation: SchemaViolation, value: unknown): string {
  if (violation.code === 'schema-type' && /^expected string, got (integer|number|boolean) /.test(violation.message)) {
    // The value as YAML read it is not what was written (1.10 became 1.1): only say to quote what was meant.
    const takes = schemaAt(violation.path)?.pattern === SEMVER ? ', an exact version such as "1.6.0"' : '';
    return `${violation.message}: YAML read it as a ${typeof value}; write the text meant in quotes${takes}`;
  }
  if (violation.code !== 'schema-constraint' || !violation.message.includes('pattern')) return violation.message;
  const key = violation.message.startsWith('invalid key ') ? String(violation.path.at(-1)) : undefined;
  // A key's violation is at the key's own path; its pattern is the parent's propertyNames.
  const pattern = key !== undefined ? schemaAt(violation.path.slice(0, -1))?.propertyNames?.pattern : schemaAt(violation.path)?.pattern;
  const words = pattern === undefined ? undefined : PATTERN_WORDS.get(pattern);
  if (!words) return violation.message;
  if (key !== undefined) return `the name ${shown(key)} ${words}`;
  return typeof value === 'string' ? `${shown(value)} ${words}` : violation.message;
}

interface SchemaNode {
  pattern?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  propertyNames?: SchemaNode;
  items?: SchemaNode;
}

/** The config schema's node at `path` (properties, then additionalProperties, items for an index); undefined off the schema. */
function schemaAt(path: readonly PathSegment[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = REPO_CONFIG_SCHEMA as SchemaNode;
  for (const segment of path) {
    if (!node) return undefined;
    if (typeof segment === 'number') node = node.items;
    else node = node.properties?.[segment] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
  }
  return node;
}

/** JSON-quoted (quotes, backslashes, tabs and controls escaped), cut to about 40 characters, and every hidden character escaped. */
function shown(text: string): string {
  return visible(quote(text));
}
