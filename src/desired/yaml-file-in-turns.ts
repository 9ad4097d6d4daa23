import type { MappingTagDefinition, TagDefinition } from 'js-yaml';
import { nextTurn, TimeSlices } from '../core/next-turn.ts';
import { GO_YAML_SCHEMA } from './go-yaml-scalars.ts';
import { LineIndex } from './line-index.ts';
import { documentRuns } from './yaml-document-runs.ts';
import { parseYaml, parseYamlFile, readDocuments, YAML_LIMITS, type ParsedYaml, type ParseOptions, type YamlDocument, type YamlParseResult, type Yaml11Spelling } from './yaml-file.ts';

export interface InTurnsOptions extends ParseOptions {
  /** Awaited between runs of documents once `sliceMs` of parsing has passed; default: the event loop's next turn (setImmediate). */
  pause?: () => Promise<void>;
  /** Milliseconds of parsing between pauses (default 8). */
  sliceMs?: number;
  /** Characters of YAML parsed at a time, at least (default 4,096): documents are grouped into runs of this size. */
  runChars?: number;
}

/**
 * parseYamlFile() in turns: the same result (documents, lines, YAML 1.1 spellings, errors), but a large file
 * is parsed a run of whole documents at a time, pausing every `sliceMs`, so that what arrives meanwhile (the
 * live state read's answers, whose next requests then go out) is not held up by one long synchronous parse:
 * 1,000 Plugins in one 300 KB file take ~0.25 s of CPU.
 *
 * Runs are cut only before a `---` line at column 0, which always starts a document (YAML 1.2 spec, rule
 * [206] c-forbidden: it ends any scalar or collection of the document before it). Documents do not share
 * anchors, tags or alias counts (js-yaml 5 resets them per document), so each run parses as it would within
 * the file; the file's one shared limit, maxTotalMergeKeys, is handed to each run as what earlier runs left
 * of it. In one step, exactly as parseYamlFile: a file of a single run, one with a directive (`%`) or a byte
 * order mark, and any file where a run errs or passes a limit (so an error is always the one-step parse's,
 * at the same line and column). Rejects only where parseYamlFile throws (a bug, not a YAML error).
 */
export async function parseYamlFileInTurns(text: string, fileName: string, options: InTurnsOptions = {}): Promise<YamlParseResult> {
  const { pause = nextTurn, sliceMs = 8, runChars = 4_096 } = options;
  const runs = documentRuns(text, runChars);
  if (runs.length < 2) return parseYamlFile(text, fileName, options);
  const lines = new LineIndex(text);
  const documents: YamlDocument[] = [];
  const yaml11: Yaml11Spelling[] = [];
  let mergeStepsLeft = YAML_LIMITS.maxTotalMergeKeys;
  const slices = new TimeSlices(pause, sliceMs);
  for (const [n, run] of runs.entries()) {
    const part = text.slice(run.start, run.end);
    const parsed = parseCountingMerges(part, fileName, mergeStepsLeft);
    const read = parsed ? readDocuments(parsed, { text: part, lines, offset: run.start, firstIndex: documents.length }, options) : undefined;
    if (!parsed || !read?.ok) return parseYamlFile(text, fileName, options);
    documents.push(...read.documents);
    yaml11.push(...read.yaml11);
    mergeStepsLeft -= parsed.mergeSteps;
    if (n < runs.length - 1 && slices.due) await slices.next();
  }
  return { ok: true, documents, yaml11 };
}

/**
 * js-yaml charges a merge (`<<`) one step, plus one per key of each mapping merged in (constructFromEvents'
 * chargeMergeWork), and reads those keys with the mapping tag's `keys()`, which it calls for nothing else:
 * counting its calls tells how many of the file's steps a run used.
 */
let mergeSteps = 0;
const isMappingTag = (tag: TagDefinition): tag is MappingTagDefinition<unknown, unknown> => tag.nodeKind === 'mapping';
const MERGE_COUNTING_SCHEMA = GO_YAML_SCHEMA.withTags(
  GO_YAML_SCHEMA.tags.filter(isMappingTag).map((tag) => ({
    ...tag,
    keys(value: unknown): unknown[] {
      const keys = [...tag.keys(value)];
      mergeSteps += 1 + keys.length;
      return keys;
    },
  })),
);

/** The run parsed, with the merge steps it took; undefined when js-yaml refuses it (the whole file's parse then says why). */
function parseCountingMerges(text: string, fileName: string, maxTotalMergeKeys: number): (ParsedYaml & { mergeSteps: number }) | undefined {
  mergeSteps = 0;
  try {
    return { ...parseYaml(text, fileName, MERGE_COUNTING_SCHEMA, maxTotalMergeKeys), mergeSteps };
  } catch {
    return undefined;
  }
}
