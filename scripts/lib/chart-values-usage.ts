/**
 * Which Helm values keys FSM's chart templates read, and where: the preset-mesh-config ConfigMap (read by
 * fsm-bootstrap only when it creates the MeshConfig, i.e. at first install) or any other object of the chart
 * (re-rendered by every `helm upgrade`: a changed Deployment rolls its pods).
 *
 * Static reading of Go templates, enough for charts/fsm: `.Values.a.b` and `$.Values.a.b` references,
 * `{{ include "name" . }}` / `{{ template "name" . }}` expanded through `{{ define }}` blocks (transitively),
 * and documents split at `---` with the `helm.sh/hook` annotation read. Conditions (`if`) are not evaluated,
 * so a key read in any branch counts as read. A `with`/`range` body's relative references (`.x`) lie under the
 * path the `with` names, which is counted itself.
 */
import type { JsonObject } from '../../src/core/json.ts';
import { valueAtDotted, valuesPathsOverlap } from '../../src/fsm/helm-values.ts';

/** A dotted values path a template reads (without the leading `.Values.`). */
export type ValuesPath = string;

/** The non-preset chart objects that read a values path, named `Kind name` (`Deployment fsm-controller`). */
export interface ValuesRead {
  values: ValuesPath;
  object: string;
}

/** One MeshConfig leaf of the preset and the values it is made from. */
export interface PresetLeaf {
  /** Path under the MeshConfig spec, dotted. */
  meshConfig: string;
  /** The values paths it reads (includes expanded). */
  values: ValuesPath[];
  /** true when the leaf is exactly one values path copied as is; false when computed (include, function, several values). */
  copied: boolean;
  /** The template expression, for computed leaves. */
  expression: string;
}

/** A row of the generated table: one values path that seeds one MeshConfig leaf. */
export interface SeedRow {
  values: ValuesPath;
  meshConfig: string;
  copied: boolean;
  /** Reads of this path, of a path under it, or of a path it lies under, by chart objects other than the preset. */
  readBy: ValuesRead[];
}

export const PRESET_TEMPLATE = 'preset-mesh-config.yaml';

const VALUES_REF = /\$?\.Values((?:\.[A-Za-z_]\w*)+)/g;
const INCLUDE = /\b(?:include|template)\s+"([^"]+)"/g;

function directRefs(text: string): Set<ValuesPath> {
  return new Set([...text.matchAll(VALUES_REF)].map((m) => (m[1] ?? '').slice(1)));
}

/** `define` blocks of every template file (in practice _helpers.tpl), by name. */
export function parseDefines(files: Readonly<Record<string, string>>): Map<string, string> {
  const defines = new Map<string, string>();
  for (const text of Object.values(files)) {
    // Helpers nest {{ if }}...{{ end }}: cut each define at the next define (or the end of the file).
    const starts = [...text.matchAll(/\{\{-?\s*define\s+"([^"]+)"\s*-?\}\}/g)];
    starts.forEach((start, i) => {
      const from = (start.index ?? 0) + start[0].length;
      const to = starts[i + 1]?.index ?? text.length;
      if (start[1]) defines.set(start[1], text.slice(from, to));
    });
  }
  return defines;
}

/** The values paths a piece of template text reads, includes expanded through `defines`. */
export function valuesRead(text: string, defines: ReadonlyMap<string, string>, seen: Set<string> = new Set()): Set<ValuesPath> {
  const refs = directRefs(text);
  for (const [, name] of text.matchAll(INCLUDE)) {
    if (!name || seen.has(name)) continue;
    seen.add(name);
    const body = defines.get(name);
    if (body === undefined) throw new Error(`template includes "${name}", which no file defines`);
    for (const ref of valuesRead(body, defines, seen)) refs.add(ref);
  }
  return refs;
}

interface TemplateDocument {
  object: string;
  /** false for hooks that run only at install or delete, which `helm upgrade` does not render into the release. */
  renderedOnUpgrade: boolean;
  text: string;
}

/** `{{ .Values.a.b }}` in an object name, replaced by the chart's default for a.b. */
function renderName(name: string, chartValues: JsonObject): string {
  return name.replace(/\{\{-?\s*\.Values\.([\w.]+)\s*-?\}\}/g, (whole, path: string) => {
    const value = valueAtDotted(chartValues, path);
    return typeof value === 'string' ? value : whole;
  });
}

function documentsOf(file: string, text: string, chartValues: JsonObject): TemplateDocument[] {
  return text
    .split(/^---\s*$/m)
    .filter((doc) => /^kind:/m.test(doc))
    .map((doc) => {
      const kind = /^kind:\s*(\S+)/m.exec(doc)?.[1] ?? 'object';
      const name = /^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:\s*(.+)$/m.exec(doc)?.[1]?.trim().replace(/^"(.*)"$/, '$1') ?? file;
      const hook = /helm\.sh\/hook:\s*(.+)$/m.exec(doc)?.[1];
      return { object: `${kind} ${renderName(name, chartValues)}`, renderedOnUpgrade: hook === undefined || /upgrade/.test(hook), text: doc };
    });
}

/** Reads by every chart object other than the preset ConfigMap (and other than install/delete-only hooks). */
export function nonPresetReads(templates: Readonly<Record<string, string>>, chartValues: JsonObject): ValuesRead[] {
  const defines = parseDefines(templates);
  const reads: ValuesRead[] = [];
  for (const [file, text] of Object.entries(templates).sort(([a], [b]) => a.localeCompare(b))) {
    if (file === PRESET_TEMPLATE || !file.endsWith('.yaml')) continue;
    for (const doc of documentsOf(file, text, chartValues)) {
      if (!doc.renderedOnUpgrade) continue;
      for (const values of [...valuesRead(doc.text, defines)].sort()) reads.push({ values, object: doc.object });
    }
  }
  return reads;
}

const SINGLE_VALUES_REF = /^"?\{\{-?\s*(?:default\s+\S+\s+)?\.Values\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*(?:\|\s*mustToJson\s*)?-?\}\}"?$/;
const TRAILING_IF_COMMA = /\{\{-?\s*if\s[^}]*\}\}\s*,\s*\{\{-?\s*end\s*-?\}\}$/;

/** The leaves of the preset's `preset-mesh-config.json` block (a JSON skeleton with one template action per leaf). */
export function presetLeaves(template: string, defines: ReadonlyMap<string, string>): { leaves: PresetLeaf[]; constants: string[] } {
  const lines = template.split('\n');
  const start = lines.findIndex((l) => /preset-mesh-config\.json:\s*\|/.test(l));
  if (start < 0) throw new Error(`${PRESET_TEMPLATE}: no preset-mesh-config.json block`);
  const stack: string[] = [];
  const leaves: PresetLeaf[] = [];
  const constants: string[] = [];
  let opened = false;
  for (const raw of lines.slice(start + 1)) {
    const line = raw.trim();
    if (line === '') continue;
    if (/^\{\{-?\s*(?:if|else|end)\b[^}]*\}\}$/.test(line)) continue; // control lines: the leaves inside still count
    if (line === '{' && !opened) {
      opened = true;
      continue;
    }
    const opener = /^"([^"]+)":\s*\{$/.exec(line);
    if (opener?.[1]) {
      stack.push(opener[1]);
      continue;
    }
    if (/^\},?$/.test(line)) {
      stack.pop();
      continue;
    }
    const leaf = /^"([^"]+)":\s*(.*)$/.exec(line);
    if (!leaf?.[1] || leaf[2] === undefined) throw new Error(`${PRESET_TEMPLATE}: cannot read line ${JSON.stringify(line)}`);
    const meshConfig = [...stack, leaf[1]].join('.');
    const expression = leaf[2].replace(TRAILING_IF_COMMA, '').replace(/,$/, '').trim();
    const single = SINGLE_VALUES_REF.exec(expression)?.[1];
    const values = [...valuesRead(expression, defines)].sort();
    if (values.length === 0) constants.push(meshConfig);
    else leaves.push({ meshConfig, values: single ? [single] : values, copied: single !== undefined, expression: expression.replace(/^"(.*)"$/, '$1') });
  }
  return { leaves, constants };
}

/** The table: every (values path, MeshConfig leaf) pair the preset makes, with the other chart objects that read the path. */
export function seedRows(templates: Readonly<Record<string, string>>, chartValues: JsonObject): { rows: SeedRow[]; leaves: PresetLeaf[]; constants: string[] } {
  const preset = templates[PRESET_TEMPLATE];
  if (preset === undefined) throw new Error(`the chart has no templates/${PRESET_TEMPLATE}`);
  const defines = parseDefines(templates);
  const { leaves, constants } = presetLeaves(preset, defines);
  const reads = nonPresetReads(templates, chartValues);
  const rows = leaves.flatMap((leaf) =>
    leaf.values.map((values) => ({
      values,
      meshConfig: leaf.meshConfig,
      copied: leaf.copied,
      readBy: reads.filter((r) => valuesPathsOverlap(r.values, values)),
    })),
  );
  return { rows, leaves, constants };
}

/** Source of src/fsm/values-meshconfig-map.ts for the rows of one chart. */
export function renderSeedTable(
  source: { chart: string; commit: string },
  table: { rows: SeedRow[]; leaves: PresetLeaf[]; constants: string[] },
  chartValues: JsonObject,
): string {
  const missing = [...new Set(table.rows.map((r) => r.values))].filter((v) => valueAtDotted(chartValues, v) === undefined);
  const out = [
    `/** Generated by scripts/build-fixtures.ts from FSM's chart ${source.chart} (flomesh-io/fsm ${source.commit}), templates/: do not edit by hand. */`,
    '//',
    '// Each row: a Helm values path that templates/preset-mesh-config.yaml reads into a MeshConfig leaf (meshConfig, under',
    '// spec). fsm-bootstrap creates the MeshConfig from the preset only when it is missing: at first install. copied:',
    '// the value is copied as is (false: the chart computes the leaf, see expression). readBy: the other objects of the',
    '// chart that read the path (or a path under or over it); a `helm upgrade` re-renders them, so a change to a path',
    '// read there does reach the cluster (a Deployment rolls its pods). Install-only and delete-only hooks are left out.',
    `// Leaves the preset sets to a constant: ${table.constants.join(', ')}.`,
  ];
  if (missing.length > 0) out.push(`// Read by the preset but absent from the chart's values.yaml (unset unless a user sets them): ${missing.join(', ')}.`);
  out.push(
    '',
    'export interface ValuesSeed {',
    '  values: string;',
    '  meshConfig: string;',
    '  copied: boolean;',
    '  expression?: string;',
    '  readBy: ReadonlyArray<{ values: string; object: string }>;',
    '}',
    '',
    'export const VALUES_TO_MESHCONFIG: readonly ValuesSeed[] = [',
  );
  for (const row of table.rows) {
    const expression = row.copied ? '' : `, expression: ${JSON.stringify(table.leaves.find((l) => l.meshConfig === row.meshConfig)?.expression ?? '')}`;
    const readBy = row.readBy.map((r) => `{ values: '${r.values}', object: ${JSON.stringify(r.object)} }`).join(', ');
    out.push(`  { values: '${row.values}', meshConfig: '${row.meshConfig}', copied: ${row.copied}${expression}, readBy: [${readBy}] },`);
  }
  out.push('];', '');
  return out.join('\n');
}
