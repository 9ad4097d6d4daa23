import { Script } from 'node:vm';
import { parse } from 'acorn';
import type { Finding } from '../../core/finding.ts';
import { findingAt, findingInFile } from '../../core/findings.ts';
import { getAt } from '../../core/json.ts';
import type { DesiredEnvironment } from '../../desired/desired-state.ts';
import { TimeSlices } from '../../core/next-turn.ts';
import { isFsmKind } from '../kinds.ts';
import { contentOf, type ManagedResource, type Rule } from './rule.ts';

type ParsedScripts = Map<string, ScriptError | undefined>;

/** Scripts parsed before the plan, by the environment they came with (parseScriptsAhead): the rule reuses them. */
const parsedAhead = new WeakMap<DesiredEnvironment, ParsedScripts>();

/** A Plugin needs a PipyJS script, and the script has to parse: a syntax error surfaces only when sidecars load it. */
export const pipyscriptRule: Rule = {
  name: 'pipyscript',
  check(context) {
    // Plugins often share one script (copies per namespace): each distinct script is parsed once per plan.
    const parsed: ParsedScripts = parsedAhead.get(context.desired) ?? new Map();
    const errorOf = (script: string): ScriptError | undefined => {
      if (!parsed.has(script)) parsed.set(script, syntaxError(script));
      return parsed.get(script);
    };
    // A misplaced copy of a Plugin takes the same <name>.js as the managed one: that file is reported once.
    const scriptFiles = new Set<string>();
    return contentOf(context, 'Plugin').flatMap((resource) => {
      if (resource.scriptFile !== undefined) {
        if (scriptFiles.has(resource.scriptFile)) return [];
        scriptFiles.add(resource.scriptFile);
      }
      return checkPlugin(resource, errorOf);
    });
  },
};

function checkPlugin(resource: ManagedResource, syntaxErrorOf: (script: string) => ScriptError | undefined): Finding[] {
  const script = getAt(resource.object, ['spec', 'pipyscript']);
  // A script of the wrong type is the schema rule's to report; an unreadable .js file, the loader's.
  if (script !== undefined && script !== null && typeof script !== 'string') return [];
  if ((script === undefined || script === null) && resource.scriptFile) return [];
  if (typeof script !== 'string' || script.trim() === '') {
    const dir = resource.file.includes('/') ? resource.file.slice(0, resource.file.lastIndexOf('/') + 1) : '';
    return [
      findingAt(resource, ['spec', 'pipyscript'], 'error', 'pipyscript-missing', `Plugin ${resource.object.metadata.name} has no script: set spec.pipyscript, or put the PipyJS in ${dir}${resource.object.metadata.name}.js beside this manifest`),
    ];
  }
  const error = syntaxErrorOf(script);
  if (!error) return [];
  const message = `PipyJS does not parse: ${error.message}`;
  if (resource.scriptFile) return [findingInFile(resource.scriptFile, error.line, error.column, 'error', 'pipyscript-syntax', message)];
  // An inline multi-line script is a YAML block scalar: its first line is the line after `pipyscript:`,
  // indented (by convention) two columns deeper than the key.
  const key = resource.locate(['spec', 'pipyscript']);
  const block = script.includes('\n');
  const at = block ? { line: key.line + error.line, column: key.column + 2 + error.column - 1 } : key;
  return [{ ...findingAt(resource, ['spec', 'pipyscript'], 'error', 'pipyscript-syntax', message), ...at }];
}

/**
 * Parses the scripts of `desired`'s Plugins ahead of its plan, which then reuses the results: run while the
 * environment's live state is read, it awaits `pause()` after each `sliceMs` of parsing, so that the read's
 * answers are handled (and its next requests sent) meanwhile. Pure CPU otherwise: no I/O, never throws for a
 * script that does not parse (that is the rule's finding, later).
 */
export async function parseScriptsAhead(desired: DesiredEnvironment, pause: () => Promise<void>, sliceMs = 8): Promise<void> {
  const parsed: ParsedScripts = parsedAhead.get(desired) ?? new Map();
  parsedAhead.set(desired, parsed);
  const slices = new TimeSlices(pause, sliceMs);
  for (const { object } of desired.resources) {
    const script = isFsmKind(object, 'Plugin') ? getAt(object, ['spec', 'pipyscript']) : undefined;
    if (typeof script !== 'string' || script.trim() === '' || parsed.has(script)) continue;
    parsed.set(script, syntaxError(script));
    if (slices.due) await slices.next();
  }
}

interface ScriptError {
  message: string;
  line: number;
  column: number;
}

/**
 * No `locations`: a node's line and column are never read, and acorn places a SyntaxError (`loc`) from its
 * offset whatever the option says, so a script parses several times faster with the same verdict.
 */
const PIPY_PARSE = { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true } as const;

/**
 * The script's syntax error, as acorn (ECMAScript `latest`, a script whose top level may `return` and `await`,
 * as PipyJS modules do) reports it: message, 1-based line and column; undefined when it parses.
 *
 * V8 compiles the script first (node:vm; compiling runs nothing) and acorn reads it only when V8 refuses: V8
 * parses several times faster, and acorn was most of this rule's cost in a plan of thousands of Plugins
 * (`npm run bench`). The verdict stays acorn's because V8's script grammar is acorn's `latest` or narrower:
 * what V8 refuses and acorn takes (a top-level `return` or `await`, syntax newer than this Node's V8) goes
 * to acorn. test/rules/plugins.test.ts holds the two to one verdict where grammars part, on Node 20 and 24.
 */
export function syntaxError(script: string): ScriptError | undefined {
  if (compiles(script)) return undefined;
  try {
    parse(script, PIPY_PARSE);
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxError && 'loc' in error && 'pos' in error) {
      const loc = error.loc as { line: number; column: number };
      const atEnd = (error.pos as number) >= script.trimEnd().length;
      const message = error.message.replace(/ \(\d+:\d+\)$/, '') + (atEnd ? ' at the end of the script (an unclosed bracket, brace or string?)' : '');
      return { message, line: loc.line, column: loc.column + 1 };
    }
    throw error;
  }
}

function compiles(script: string): boolean {
  try {
    new Script(script);
    return true;
  } catch {
    // A SyntaxError, or a RangeError when nesting overflows V8's stack: acorn decides and words the error.
    return false;
  }
}
