import { constructFromEvents, EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE_PLAIN, YAMLException, type Event, type ScalarEvent, type Schema } from 'js-yaml';
import type { JsonPath, JsonValue } from '../core/json.ts';
import { LineIndex } from './line-index.ts';
import { YamlLocations } from './yaml-locations.ts';
import { aliasExpansionExceeds, aliasLimitOffset } from './expanded-size.ts';
import { complexKeyLine, unclosedHint } from './yaml-hints.ts';
import { differentReadings, GO_YAML_SCHEMA, mayStartDifferently, type GoScalar } from './go-yaml-scalars.ts';

/** Limits that keep hostile YAML (alias bombs, deep nesting, merge-key floods) from costing more than a clear error. */
export const YAML_LIMITS = {
  maxDepth: 64,
  maxAliases: 1_000,
  maxTotalMergeKeys: 10_000,
  /** Values that alias expansion may add to a document (not its size as written): far above any real manifest. */
  maxExpandedNodes: 1_000_000,
};

export interface YamlDocument {
  /** 0-based position of the document in its file. */
  index: number;
  value: JsonValue;
  /** Where the document starts. */
  line: number;
  /** Line and column of a path inside the document; the nearest ancestor that exists when the path does not. */
  locate(path: JsonPath): { line: number; column: number };
}

/** A plain scalar that Helm and kubectl (YAML 1.1) read differently from YAML 1.2 tools: `yes`, `on`, `0777`, ... */
export interface Yaml11Spelling {
  line: number;
  column: number;
  text: string;
  /** The mapping keys above it, outermost first (`{auth: {passwords: [0123]}}` → auth, passwords; a key's own spelling: the keys above that key). */
  keys: string[];
  /** How Helm and kubectl read it (and so fsm-gitops). */
  helm: GoScalar;
  /** How a YAML 1.2 tool (yq, js-yaml, most editors) reads it. */
  yaml12: GoScalar;
}

export type YamlParseResult =
  | { ok: true; documents: YamlDocument[]; yaml11: Yaml11Spelling[] }
  | { ok: false; code: 'yaml-syntax' | 'yaml-limit'; message: string; line: number; column: number };

export interface ParseOptions {
  /** Place paths on lines and list YAML 1.1 spellings (default true); a snapshot that is only read, never reported on, skips both. */
  locations?: boolean;
}

/**
 * Parses every document of a YAML file as Helm and kubectl read it (sigs.k8s.io/yaml, go-yaml v2: YAML 1.1
 * scalars and merge keys, see go-yaml-scalars.ts), within YAML_LIMITS; a limit or syntax error is a result
 * with its line, never an exception. With locations, each document can place a JSON path on a line, and
 * `yaml11` lists the scalars a YAML 1.2 tool would read differently. In one synchronous step: the
 * environment loader reads a large file with parseYamlFileInTurns (yaml-file-in-turns.ts) instead.
 */
export function parseYamlFile(text: string, fileName: string, options: ParseOptions = {}): YamlParseResult {
  const lines = new LineIndex(text);
  let parsed: ParsedYaml;
  try {
    parsed = parseYaml(text, fileName);
  } catch (error) {
    return yamlError(error, text);
  }
  return readDocuments(parsed, { text, lines, offset: 0, firstIndex: 0 }, options);
}

/** What js-yaml makes of a text: its events (offsets into that text) and one value per document. */
export interface ParsedYaml {
  events: Event[];
  values: unknown[];
}

/**
 * Parses `text` with js-yaml within YAML_LIMITS; `maxTotalMergeKeys` is what is left of the file's merge
 * steps when `text` is part of a file. Throws js-yaml's YAMLException (or a RangeError when nesting overflows the stack).
 */
export function parseYaml(text: string, fileName: string, schema: Schema = GO_YAML_SCHEMA, maxTotalMergeKeys = YAML_LIMITS.maxTotalMergeKeys): ParsedYaml {
  const events = parseEvents(text, { filename: fileName, maxDepth: YAML_LIMITS.maxDepth });
  const values = constructFromEvents(events, { source: text, schema, filename: fileName, maxAliases: YAML_LIMITS.maxAliases, maxTotalMergeKeys });
  return { events, values };
}

/**
 * Where parsed text stands in its file: `text` is the file's, from character `offset` on (its events'
 * offsets are into `text`); `lines` indexes the whole file; its first document is the file's `firstIndex`th.
 */
export interface TextPlace {
  text: string;
  lines: LineIndex;
  offset: number;
  firstIndex: number;
}

/**
 * The documents (and YAML 1.1 spellings) of parsed text, placed in their file; or an alias expansion past
 * YAML_LIMITS. A document's start is read now, the places of the paths inside it on the first locate() of one.
 */
export function readDocuments({ events, values }: ParsedYaml, place: TextPlace, options: ParseOptions): YamlParseResult {
  const { text, lines } = place;
  const at = fileOffset(place);
  const locations = options.locations === false ? undefined : new YamlLocations(text, events);
  const documents: YamlDocument[] = [];
  // Only an alias makes a value appear twice: a text without one expands to nothing more than it holds.
  const aliased = locations ? locations.aliased : events.some((event) => event.type === EVENT_ID.ALIAS);
  for (const [local, value] of values.entries()) {
    const index = place.firstIndex + local;
    if (aliased && aliasExpansionExceeds(value, YAML_LIMITS.maxExpandedNodes)) {
      return {
        ok: false,
        code: 'yaml-limit',
        message: `document ${index + 1}'s aliases expand to more than ${YAML_LIMITS.maxExpandedNodes.toLocaleString('en')} values (an alias bomb?); write the values out or use fewer aliases`,
        ...lines.locate(at(aliasLimitOffset(text, events, local, YAML_LIMITS.maxExpandedNodes) ?? 0)),
      };
    }
    const { line, column } = lines.locate(at(locations?.starts[local] ?? 0));
    documents.push({
      index,
      value: value as JsonValue,
      line,
      locate(path) {
        return path.length === 0 || !locations ? { line, column } : lines.locate(at(locations.offsetOf(local, path)));
      },
    });
  }
  return { ok: true, documents, yaml11: options.locations === false ? [] : yaml11Spellings(place, events) };
}

/**
 * Turns an offset into `place.text` into one into its file. js-yaml's -1 ("absent": the value of an empty
 * node) stays -1, as in a file parsed in one step, which places it at line 1, column 0.
 */
function fileOffset(place: TextPlace): (offset: number) => number {
  return (offset) => (offset < 0 ? offset : place.offset + offset);
}

/**
 * The plain scalars Helm and kubectl read otherwise than YAML 1.2 tools, each with the mapping keys above it
 * (read only for the scalars found: a walk that reads every key would cost a large file dearly).
 */
function yaml11Spellings(place: TextPlace, events: Event[]): Yaml11Spelling[] {
  const { text, lines } = place;
  const found: Yaml11Spelling[] = [];
  // Per open mapping: the event of the key whose value is being read (undefined while a key is expected).
  type Frame = { map: true; key: ScalarEvent | Event | undefined } | { map: false };
  const stack: Frame[] = [];
  const valueDone = (): void => {
    const top = stack[stack.length - 1];
    if (top?.map) top.key = undefined;
  };
  const keysAbove = (): string[] =>
    stack.flatMap((frame) => (frame.map && frame.key?.type === EVENT_ID.SCALAR ? [getScalarValue(text, frame.key)] : []));
  for (const event of events) {
    const top = stack[stack.length - 1];
    const isKey = top?.map === true && top.key === undefined;
    switch (event.type) {
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE:
        if (isKey) top.key = event; // a complex key: its value has no name to judge by
        stack.push(event.type === EVENT_ID.MAPPING ? { map: true, key: undefined } : { map: false });
        continue;
      case EVENT_ID.POP:
        if (stack.pop()) valueDone();
        continue;
      case EVENT_ID.ALIAS:
        if (isKey) top.key = event;
        else valueDone();
        continue;
      case EVENT_ID.SCALAR:
        break;
      default:
        continue;
    }
    const spelling = yaml11Spelling(text, event);
    if (spelling) found.push({ ...lines.locate(place.offset + Math.max(event.valueStart, 0)), ...spelling, keys: keysAbove() });
    if (isKey) top.key = event;
    else valueDone();
  }
  return found;
}

/** How a scalar event reads in YAML 1.1 and 1.2 when they differ, with its text; undefined when they agree. */
function yaml11Spelling(text: string, event: ScalarEvent): Pick<Yaml11Spelling, 'text' | 'helm' | 'yaml12'> | undefined {
  if (event.style !== SCALAR_STYLE_PLAIN || event.tagStart !== -1) return undefined;
  // A plain scalar that starts with a printable character starts its value (js-yaml only folds the line
  // breaks inside one): judged by that character, most scalars need not be read out of the text at all.
  const start = event.valueStart;
  if (start >= 0 && event.valueEnd > start) {
    const first = text.charCodeAt(start);
    if (first > 32 && !mayStartDifferently(first)) return undefined;
  }
  const value = getScalarValue(text, event);
  const readings = differentReadings(value);
  return readings ? { text: value, ...readings } : undefined;
}

function yamlError(error: unknown, text: string): YamlParseResult {
  if (error instanceof YAMLException) {
    const line = (error.mark?.line ?? 0) + 1;
    const column = (error.mark?.column ?? 0) + 1;
    const isLimit = /maximum|exceed|limit|too many|abnormal merge/i.test(error.reason);
    let message = describeYamlReason(error.reason, text, error.mark?.position);
    const hint = error.mark ? unclosedHint(text, error.mark.position) : undefined;
    if (hint && !isLimit) message = `${message}: ${hint}`;
    const keyLine = /complex key/.test(error.reason) ? complexKeyLine(text) : undefined;
    if (keyLine !== undefined) return { ok: false, code: 'yaml-syntax', message, line: keyLine, column: 1 };
    return { ok: false, code: isLimit ? 'yaml-limit' : 'yaml-syntax', message, line, column };
  }
  if (error instanceof RangeError) {
    return { ok: false, code: 'yaml-limit', message: `YAML is too deeply nested to read (${error.message})`, line: 1, column: 1 };
  }
  throw error;
}

function describeYamlReason(reason: string, text: string, position: number | undefined): string {
  if (reason.startsWith('duplicated mapping key')) {
    const key = position === undefined ? undefined : /^\s*(?:-\s+)?([^:\n]+?)\s*:/.exec(text.slice(position, position + 200))?.[1];
    return `duplicate key ${key ? `"${key}" ` : ''}in a mapping: remove or rename one of them (YAML tools disagree on which one wins)`;
  }
  if (reason.startsWith('nesting exceeded maxDepth')) {
    return `YAML is nested deeper than ${YAML_LIMITS.maxDepth} levels; no FSM resource needs that many`;
  }
  if (reason.startsWith('aliases exceeded maxAliases')) {
    return `the file uses more than ${YAML_LIMITS.maxAliases.toLocaleString('en')} aliases (\`*name\`); no FSM resource needs that many: write the values out`;
  }
  if (reason.startsWith('merge keys exceeded maxTotalMergeKeys')) {
    return `merge keys (\`<<\`) in this file take more than ${YAML_LIMITS.maxTotalMergeKeys.toLocaleString('en')} merge steps (a merge-key flood?); no FSM resource needs that many: write the keys out`;
  }
  if (reason.startsWith('abnormal merge sequence size')) {
    return 'a merge key (`<<`) lists more than 100 mappings; no FSM resource needs that many: write the keys out';
  }
  return `YAML syntax error: ${reason}`;
}
