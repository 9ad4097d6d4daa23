/**
 * Regenerates the committed fixtures that derive from FSM's reference data (shared/fsm-reference):
 *
 *   test/fixtures/fsm/crds.yaml          the four FSM CRDs, schema descriptions dropped
 *   src/fsm/values-meshconfig-map.ts     Helm values paths that seed MeshConfig fields, and the other chart objects
 *                                        that read them (from the chart's templates: scripts/lib/chart-values-usage.ts)
 *   test/fixtures/fsm-reference/chart/   Chart.yaml and templates/ of charts/fsm-<version>.tgz, unpacked (needs `tar`)
 *   examples/cluster/<env>.yaml          live-state snapshots (as `kubectl get -o yaml` prints objects)
 *   test/fixtures/fsm-reference/         verbatim copies the tests read (chart values and schema, the
 *                                        MeshConfig CRD, example plugins), so `npm test` needs no shared/
 *   test/fixtures/fsm-reference/charts/  the packaged charts the helm tests install and upgrade, and the
 *                                        repository index (charts/ of the reference, SOURCES.md says how made)
 *
 * Run: node --import tsx scripts/build-fixtures.ts   (npm run fixtures)
 * The reference folder is ../../shared/fsm-reference/ from here, or $FSM_REFERENCE_DIR.
 * Output is deterministic: fixed uids and timestamps, so two runs give byte-identical files.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dump, load, loadAll } from 'js-yaml';
import { cloneJson, isObject, type JsonObject, type JsonValue } from '../src/core/json.ts';
import { isKubeObject, labelsOf, namespaceOf, type KubeObject } from '../src/core/kube.ts';
import { ENVIRONMENT_LABEL, FIELD_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../src/core/ownership.ts';
import { renderSeedTable, seedRows } from './lib/chart-values-usage.ts';
import { encodeHelmReleaseSecret } from './lib/helm-release-encode.ts';
import { valueAtDotted } from '../src/fsm/helm-values.ts';

const PROJECT = new URL('../', import.meta.url);
const REFERENCE = process.env['FSM_REFERENCE_DIR']
  ? pathToFileURL(resolve(process.env['FSM_REFERENCE_DIR']) + sep)
  : new URL('../../shared/fsm-reference/', import.meta.url);

const CRD_FILES = [
  'config.flomesh.io_meshconfigs.yaml',
  'plugin.flomesh.io_plugins.yaml',
  'plugin.flomesh.io_pluginchains.yaml',
  'plugin.flomesh.io_pluginconfigs.yaml',
] as const;

/** Reference files the tests compare against, copied byte for byte. */
const VERBATIM_COPIES = [
  'SOURCES.md',
  'values.yaml',
  'values.schema.json',
  'config.flomesh.io_meshconfigs.yaml',
  'cors.yaml',
  'fault-injection.yaml',
  'header-modifier.yaml',
  'traffic-mirror.yaml',
] as const;
const VERBATIM_DIR = 'test/fixtures/fsm-reference/';
/** Packaged charts (binary) and the Helm repository index, copied as they are for test/helm and test/cluster/helm*. */
const CHART_PACKAGE_COPIES = ['charts/fsm-1.5.1.tgz', 'charts/fsm-1.6.0.tgz', 'charts/index.yaml'] as const;
/** Chart.yaml and templates/ of the chart archive, unpacked. */
const CHART_COPY_DIR = `${VERBATIM_DIR}chart/`;

const MESH_NAME = 'fsm';
const FSM_NAMESPACE = 'fsm-system';
const MESH_CONFIG_NAME = 'fsm-mesh-config';
const MESH_CONFIG_API_VERSION = 'config.flomesh.io/v1alpha3';
/** The cluster the preset is rendered for (only `semverCompare ">=1.21-0"` reads it). */
const KUBE_GIT_VERSION = 'v1.30.4';
/** What `{{ uuidv4 }}` gave at install, fixed so the output does not change between runs. */
const CLUSTER_SET_UID = '6f1c4f3e-2b7a-4d59-9a0e-8c5d2e7b1a43';

// ---------------------------------------------------------------------------------------------------------
// Reference data

function readReference(name: string): string {
  return readFileSync(new URL(name, REFERENCE), 'utf8');
}

interface Reference {
  fsmCommit: string;
  chartVersion: string;
  appVersion: string;
  crds: KubeObject[];
  valuesYaml: JsonObject;
  valuesSchemaText: string;
  presetTemplate: string;
}

function loadReference(): Reference {
  const sources = readReference('SOURCES.md');
  const fsmSection = sources.slice(sources.indexOf('## flomesh-io/fsm'));
  const commit = /Commit: `([0-9a-f]{40})`/.exec(fsmSection)?.[1];
  const chart = /says version (\S+), appVersion (\S+)/.exec(fsmSection);
  if (!commit || !chart?.[1] || !chart[2]) throw new Error('SOURCES.md: cannot find the flomesh-io/fsm commit and chart version');
  const crds = CRD_FILES.map((file) => {
    const docs = loadAll(readReference(file)).filter((d) => d !== null && d !== undefined) as JsonValue[];
    const crd = docs[0];
    if (docs.length !== 1 || !isKubeObject(crd) || crd.kind !== 'CustomResourceDefinition') throw new Error(`${file}: expected one CRD`);
    return crd;
  });
  const valuesYaml = load(readReference('values.yaml'));
  if (!isObject(valuesYaml)) throw new Error('values.yaml: not a mapping');
  return {
    fsmCommit: commit,
    chartVersion: chart[1].replace(/[.,]$/, ''),
    appVersion: chart[2].replace(/[.,]$/, ''),
    crds,
    valuesYaml,
    valuesSchemaText: readReference('values.schema.json'),
    presetTemplate: readReference('preset-mesh-config.yaml'),
  };
}

// ---------------------------------------------------------------------------------------------------------
// (a) CRDs without descriptions

/** Drops the `description` keyword from a schema node and every schema node under it (a *property* named description stays). */
export function stripSchemaDescriptions(node: JsonValue): JsonValue {
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description') continue;
    if ((key === 'properties' || key === 'patternProperties' || key === 'definitions') && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, stripSchemaDescriptions(schema)]));
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      out[key] = Array.isArray(value) ? value.map(stripSchemaDescriptions) : stripSchemaDescriptions(value);
    } else if ((key === 'anyOf' || key === 'allOf' || key === 'oneOf') && Array.isArray(value)) {
      out[key] = value.map(stripSchemaDescriptions);
    } else {
      out[key] = value; // default, enum, example, x-kubernetes-*: data, left as they are
    }
  }
  return out;
}

function stripCrd(crd: KubeObject): KubeObject {
  const copy = cloneJson(crd);
  const spec = copy['spec'];
  const versions = isObject(spec) && Array.isArray(spec['versions']) ? spec['versions'] : [];
  for (const version of versions) {
    if (isObject(version) && isObject(version['schema']) && isObject(version['schema']['openAPIV3Schema'])) {
      version['schema']['openAPIV3Schema'] = stripSchemaDescriptions(version['schema']['openAPIV3Schema']);
    }
  }
  return copy;
}

function crdSchema(crd: KubeObject, version: string): JsonObject {
  const spec = crd['spec'];
  const versions = isObject(spec) && Array.isArray(spec['versions']) ? spec['versions'] : [];
  const match = versions.find((v) => isObject(v) && v['name'] === version);
  const schema = isObject(match) && isObject(match['schema']) ? match['schema']['openAPIV3Schema'] : undefined;
  if (!isObject(schema)) throw new Error(`CRD ${crd.metadata.name} has no schema for ${version}`);
  return schema;
}

// ---------------------------------------------------------------------------------------------------------
// (b) the chart's templates, and the values → MeshConfig table read off them (scripts/lib/chart-values-usage.ts)

/** The chart archive whose templates the table is derived from: the one SOURCES.md pins (the chart at the FSM commit). */
function chartArchive(reference: Reference): string {
  return `charts/fsm-${reference.chartVersion}.tgz`;
}

/** Chart.yaml and every file of templates/ of the packaged chart, by path relative to the chart folder. */
function extractChart(archive: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'fsm-chart-'));
  try {
    execFileSync('tar', ['-xzf', fileURLToPath(new URL(archive, REFERENCE)), '-C', dir], { stdio: 'inherit' });
    const root = join(dir, 'fsm');
    const files: Record<string, string> = { 'Chart.yaml': readFileSync(join(root, 'Chart.yaml'), 'utf8') };
    for (const name of readdirSync(join(root, 'templates')).sort()) files[`templates/${name}`] = readFileSync(join(root, 'templates', name), 'utf8');
    return files;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function templatesOf(chartFiles: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(chartFiles).filter(([path]) => path.startsWith('templates/')).map(([path, text]) => [path.slice('templates/'.length), text]));
}

// ---------------------------------------------------------------------------------------------------------
// A small renderer for the Go-template constructs preset-mesh-config.yaml uses

interface TemplateContext {
  Values: JsonObject;
  Release: { Name: string; Namespace: string };
  Capabilities: { KubeVersion: { GitVersion: string } };
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'output'; expr: string }
  | { kind: 'if'; expr: string; then: Node[]; else: Node[] };

function parseTemplate(source: string): Node[] {
  // Split into text and actions, applying {{- and -}} whitespace trimming.
  const pieces: ({ text: string } | { action: string })[] = [];
  let i = 0;
  let trimNext = false;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    let text = source.slice(i, open < 0 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      pieces.push({ text });
      break;
    }
    let j = open + 2;
    let quoted = false;
    while (j < source.length && (quoted || !source.startsWith('}}', j))) {
      if (source[j] === '\\' && quoted) j++;
      else if (source[j] === '"') quoted = !quoted;
      j++;
    }
    if (j >= source.length) throw new Error('template: unclosed action');
    let action = source.slice(open + 2, j);
    if (/^-\s/.test(action)) {
      text = text.replace(/\s+$/, '');
      action = action.slice(1);
    }
    if (/\s-$/.test(action)) {
      trimNext = true;
      action = action.slice(0, -1);
    }
    pieces.push({ text }, { action: action.trim() });
    i = j + 2;
  }
  // Nest if/else/end.
  const root: Node[] = [];
  const stack: { node: Extract<Node, { kind: 'if' }>; inElse: boolean }[] = [];
  const current = (): Node[] => {
    const top = stack.at(-1);
    return top ? (top.inElse ? top.node.else : top.node.then) : root;
  };
  for (const piece of pieces) {
    if ('text' in piece) {
      if (piece.text !== '') current().push({ kind: 'text', text: piece.text });
      continue;
    }
    const action = piece.action;
    if (action.startsWith('/*')) continue;
    const keyword = /^(\w+)\b\s*(.*)$/s.exec(action);
    if (keyword?.[1] === 'if') {
      const node: Extract<Node, { kind: 'if' }> = { kind: 'if', expr: keyword[2] ?? '', then: [], else: [] };
      current().push(node);
      stack.push({ node, inElse: false });
    } else if (keyword?.[1] === 'else' && keyword[2] === '') {
      const top = stack.at(-1);
      if (!top) throw new Error('template: else outside if');
      top.inElse = true;
    } else if (keyword?.[1] === 'end') {
      if (!stack.pop()) throw new Error('template: end without if');
    } else if (keyword && ['range', 'with', 'define', 'template', 'block', 'else'].includes(keyword[1] ?? '')) {
      throw new Error(`template: {{ ${keyword[1]} }} is not supported by this renderer`);
    } else {
      current().push({ kind: 'output', expr: action });
    }
  }
  if (stack.length > 0) throw new Error('template: if without end');
  return root;
}

type Token = { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'field'; v: string[] } | { t: 'ident'; v: string } | { t: '(' | ')' | '|' };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|((?:\.[A-Za-z_]\w*)+|\.)|([A-Za-z_]\w*)|([()|]))/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < expr.length && (re.lastIndex = pos, (m = re.exec(expr)))) {
    if (m[1] !== undefined) tokens.push({ t: 'str', v: JSON.parse(m[1]) as string });
    else if (m[2] !== undefined) tokens.push({ t: 'num', v: Number(m[2]) });
    else if (m[3] !== undefined) tokens.push({ t: 'field', v: m[3] === '.' ? [] : m[3].slice(1).split('.') });
    else if (m[4] !== undefined) tokens.push({ t: 'ident', v: m[4] });
    else tokens.push({ t: m[5] as '(' | ')' | '|' });
    pos = re.lastIndex;
  }
  if (expr.slice(pos).trim() !== '') throw new Error(`template: cannot read ${JSON.stringify(expr)}`);
  return tokens;
}

function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Go's encoding/json: map keys sorted. */
function goJson(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${goJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function goPrint(v: unknown): string {
  if (v === undefined || v === null) return ''; // Helm turns "<no value>" into ""
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error('template: printing a map or list is not supported by this renderer');
}

function semverAtLeast(constraint: string, version: string): boolean {
  const c = /^>=\s*v?(\d+)\.(\d+)(?:\.(\d+))?(?:-0)?$/.exec(constraint);
  const v = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!c || !v) throw new Error(`template: semverCompare ${constraint} ${version} is not supported by this renderer`);
  const a = [Number(v[1]), Number(v[2]), Number(v[3])];
  const b = [Number(c[1]), Number(c[2]), Number(c[3] ?? 0)];
  for (let k = 0; k < 3; k++) if (a[k] !== b[k]) return (a[k] ?? 0) > (b[k] ?? 0);
  return true;
}

/** The chart's _helpers.tpl definitions the preset includes (flomesh-io/fsm charts/fsm/templates/_helpers.tpl). */
function includeHelper(name: string, ctx: TemplateContext): string {
  const fsm = (ctx.Values['fsm'] ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  const image = (section: string): string => {
    const own = fsm[section]?.['image'] ?? {};
    const registry = truthy(own['registry']) ? own['registry'] : fsm['image']?.['registry'];
    return `${goPrint(registry)}/${goPrint(own['name'])}:${goPrint(own['tag'])}`;
  };
  switch (name) {
    case 'fsm.namespace':
      return goPrint(truthy(fsm['fsmNamespace']) ? fsm['fsmNamespace'] : ctx.Release.Namespace);
    case 'sidecar.image':
      return image('sidecar');
    case 'repoServer.image':
      return image('repoServer');
    case 'serviceLB.image':
      return image('serviceLB');
    default:
      throw new Error(`template: include "${name}" is not known to this renderer`);
  }
}

function evaluate(expr: string, ctx: TemplateContext): unknown {
  const tokens = tokenize(expr);
  let pos = 0;
  const pipeline = (): unknown => {
    let value: unknown;
    let first = true;
    for (;;) {
      value = command(first ? undefined : { piped: value });
      first = false;
      if (tokens[pos]?.t === '|') {
        pos++;
        continue;
      }
      return value;
    }
  };
  const operand = (): unknown => {
    const tok = tokens[pos++];
    if (!tok) throw new Error(`template: ${expr}: unexpected end`);
    switch (tok.t) {
      case 'str':
      case 'num':
        return tok.v;
      case 'field': {
        let node: unknown = ctx;
        for (const key of tok.v) node = isObject(node as JsonValue) ? (node as Record<string, unknown>)[key] : undefined;
        return node;
      }
      case '(': {
        const v = pipeline();
        if (tokens[pos++]?.t !== ')') throw new Error(`template: ${expr}: missing )`);
        return v;
      }
      case 'ident':
        if (tok.v === 'true') return true;
        if (tok.v === 'false') return false;
        if (tok.v === 'nil') return null;
        return call(tok.v, []);
      default:
        throw new Error(`template: ${expr}: unexpected ${tok.t}`);
    }
  };
  const command = (pipe?: { piped: unknown }): unknown => {
    const head = tokens[pos];
    if (head?.t === 'ident' && !['true', 'false', 'nil'].includes(head.v)) {
      pos++;
      const args: unknown[] = [];
      while (pos < tokens.length && tokens[pos]?.t !== '|' && tokens[pos]?.t !== ')') args.push(operand());
      if (pipe) args.push(pipe.piped);
      return call(head.v, args);
    }
    if (pipe) throw new Error(`template: ${expr}: cannot pipe into a value`);
    const v = operand();
    if (pos < tokens.length && tokens[pos]?.t !== '|' && tokens[pos]?.t !== ')') throw new Error(`template: ${expr}: arguments to a non-function`);
    return v;
  };
  const call = (fn: string, args: unknown[]): unknown => {
    switch (fn) {
      case 'mustToJson':
      case 'toJson':
        return goJson(args[0]);
      case 'toString':
        return goPrint(args[0]);
      case 'default':
        return truthy(args[1]) ? args[1] : args[0];
      case 'and':
        return args.find((a) => !truthy(a)) ?? args.at(-1);
      case 'or':
        return args.find((a) => truthy(a)) ?? args.at(-1);
      case 'not':
        return !truthy(args[0]);
      case 'empty':
        return !truthy(args[0]);
      case 'include':
        return includeHelper(String(args[0]), ctx);
      case 'uuidv4':
        return CLUSTER_SET_UID;
      case 'semverCompare':
        return semverAtLeast(String(args[0]), String(args[1]));
      default:
        throw new Error(`template: function ${fn} is not supported by this renderer`);
    }
  };
  const result = pipeline();
  if (pos !== tokens.length) throw new Error(`template: ${expr}: unexpected ${tokens[pos]?.t}`);
  return result;
}

export function renderTemplate(source: string, ctx: TemplateContext): string {
  const run = (nodes: Node[]): string =>
    nodes
      .map((n) =>
        n.kind === 'text' ? n.text : n.kind === 'output' ? goPrint(evaluate(n.expr, ctx)) : run(truthy(evaluate(n.expr, ctx)) ? n.then : n.else),
      )
      .join('');
  return run(parseTemplate(source));
}

// ---------------------------------------------------------------------------------------------------------
// The MeshConfig fsm-bootstrap creates

/** Helm's value coalescing: maps merge key by key, anything else in the override replaces; null deletes. */
function mergeValues(base: JsonObject, override: JsonObject): JsonObject {
  const out = cloneJson(base);
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(current)) out[key] = mergeValues(current, value);
    else out[key] = cloneJson(value);
  }
  return out;
}

function presetJson(reference: Reference, values: JsonObject): JsonObject {
  const rendered = renderTemplate(reference.presetTemplate, {
    Values: values,
    Release: { Name: MESH_NAME, Namespace: FSM_NAMESPACE },
    Capabilities: { KubeVersion: { GitVersion: KUBE_GIT_VERSION } },
  });
  const configMap = load(rendered);
  const data = isObject(configMap) ? configMap['data'] : undefined;
  const json = isObject(data) ? data['preset-mesh-config.json'] : undefined;
  if (typeof json !== 'string') throw new Error('rendered preset has no data["preset-mesh-config.json"]');
  const parsed = JSON.parse(json) as unknown;
  if (!isObject(parsed as JsonValue)) throw new Error('rendered preset JSON is not an object');
  return parsed as JsonObject;
}

function schemaProps(schema: JsonObject): JsonObject {
  return isObject(schema['properties']) ? schema['properties'] : {};
}

/** What the API server keeps: fields its structural schema knows (bootstrap's Go types drop the rest too). */
function prune(value: JsonValue, schema: JsonObject): JsonValue {
  if (Array.isArray(value)) return isObject(schema['items']) ? value.map((v) => prune(v, schema['items'] as JsonObject)) : value;
  if (!isObject(value) || schema['x-kubernetes-preserve-unknown-fields'] === true) return value;
  const props = schemaProps(schema);
  const additional = schema['additionalProperties'];
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    const prop = props[key];
    if (isObject(prop)) out[key] = prune(v, prop);
    else if (isObject(additional)) out[key] = prune(v, additional);
    else if (additional === true) out[key] = v;
  }
  return out;
}

function zeroValue(schema: JsonObject): JsonValue {
  switch (schema['type']) {
    case 'object':
      return {};
    case 'array':
      return [];
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

/**
 * fsm-bootstrap unmarshals the preset JSON into Go structs and creates the object from them: a required field
 * the preset leaves out is written with its Go zero value (non-pointer struct fields have no omitempty effect).
 * Required fields that have a schema default are left to the API server's defaulting.
 */
function fillGoZeroValues(value: JsonValue, schema: JsonObject, path: string, filled: string[]): void {
  if (Array.isArray(value)) {
    if (isObject(schema['items'])) value.forEach((v, i) => fillGoZeroValues(v, schema['items'] as JsonObject, `${path}[${i}]`, filled));
    return;
  }
  if (!isObject(value)) return;
  const props = schemaProps(schema);
  const required = Array.isArray(schema['required']) ? schema['required'] : [];
  for (const key of required) {
    const prop = props[String(key)];
    if (typeof key !== 'string' || !isObject(prop) || Object.hasOwn(value, key) || prop['default'] !== undefined) continue;
    value[key] = zeroValue(prop);
    filled.push(`${path}.${key}`);
  }
  for (const [key, v] of Object.entries(value)) {
    const prop = props[key];
    if (isObject(prop)) fillGoZeroValues(v, prop, `${path}.${key}`, filled);
  }
}

/** The API server's structural defaulting: a missing property with a default gets it, then defaulting goes on inside. */
function applyDefaults(value: JsonValue, schema: JsonObject): void {
  if (Array.isArray(value)) {
    if (isObject(schema['items'])) for (const v of value) applyDefaults(v, schema['items'] as JsonObject);
    return;
  }
  if (!isObject(value)) return;
  const props = schemaProps(schema);
  for (const [key, prop] of Object.entries(props)) {
    if (isObject(prop) && !Object.hasOwn(value, key) && prop['default'] !== undefined) value[key] = cloneJson(prop['default']);
  }
  const additional = schema['additionalProperties'];
  for (const [key, v] of Object.entries(value)) {
    const prop = props[key] ?? additional;
    if (isObject(prop)) applyDefaults(v, prop);
  }
}

/** Go struct fields (not pointers) the preset omits: encoding/json writes them even when empty. */
const GO_ALWAYS_WRITTEN: ReadonlyArray<[string[], JsonValue]> = [
  [['traffic', 'inboundExternalAuthorization'], { enable: false, failureModeAllow: false }],
  [['sidecar', 'resources'], {}],
  [['sidecar', 'initResources'], {}],
  [['sidecar', 'healthcheckResources'], {}],
];

function bootstrapMeshConfigSpec(
  reference: Reference,
  values: JsonObject,
  specSchema: JsonObject,
): { spec: JsonObject; filledByGo: string[] } {
  const spec = prune(presetJson(reference, values), specSchema) as JsonObject;
  for (const [path, empty] of GO_ALWAYS_WRITTEN) {
    let node: JsonObject = spec;
    for (const key of path.slice(0, -1)) node = isObject(node[key]) ? node[key] : (node[key] = {});
    const leaf = path.at(-1) as string;
    if (!Object.hasOwn(node, leaf)) node[leaf] = cloneJson(empty);
  }
  const filled: string[] = [];
  fillGoZeroValues(spec, specSchema, 'spec', filled);
  applyDefaults(spec, specSchema);
  const problems = checkRequiredAndTypes(spec, specSchema, 'spec');
  if (problems.length > 0) throw new Error(`the generated MeshConfig breaks its CRD schema:\n  ${problems.join('\n  ')}`);
  return { spec, filledByGo: filled };
}

/** A quick self-check (the real validator is src/schema/openapi.ts; test/fixtures-consistency.test.ts runs it). */
function checkRequiredAndTypes(value: JsonValue, schema: JsonObject, path: string): string[] {
  const problems: string[] = [];
  const type = schema['type'];
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value === 'object' ? 'object' : typeof value;
  const ok =
    type === undefined ||
    schema['x-kubernetes-int-or-string'] === true ||
    (type === 'integer' ? Number.isInteger(value) : type === 'number' ? typeof value === 'number' : type === actual);
  if (!ok) return [`${path}: ${actual}, not ${String(type)}`];
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value)) problems.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (Array.isArray(value) && isObject(schema['items'])) {
    value.forEach((v, i) => problems.push(...checkRequiredAndTypes(v, schema['items'] as JsonObject, `${path}[${i}]`)));
  } else if (isObject(value)) {
    const props = schemaProps(schema);
    for (const key of Array.isArray(schema['required']) ? schema['required'] : []) {
      if (typeof key === 'string' && !Object.hasOwn(value, key)) problems.push(`${path}.${key}: required`);
    }
    for (const [key, v] of Object.entries(value)) {
      const prop = props[key] ?? schema['additionalProperties'];
      if (isObject(prop)) problems.push(...checkRequiredAndTypes(v, prop, `${path}.${key}`));
      else if (!schema['additionalProperties'] && Object.keys(props).length > 0) problems.push(`${path}.${key}: unknown field`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// (c) Live-state snapshots

interface EnvironmentSpec {
  name: 'staging' | 'production';
  /** User values of the deployed release (revision 2) and of the one before it. */
  config: JsonObject;
  previousConfig: JsonObject;
  installedAt: string;
  upgradedAt: string;
}

const BASE_CONFIG: JsonObject = {
  fsm: {
    meshName: MESH_NAME,
    fsmNamespace: FSM_NAMESPACE,
    image: { registry: 'flomesh' },
    fsmController: { replicaCount: 1 },
  },
};

const ENVIRONMENTS: EnvironmentSpec[] = [
  {
    name: 'staging',
    config: BASE_CONFIG,
    previousConfig: { fsm: { meshName: MESH_NAME, fsmNamespace: FSM_NAMESPACE, image: { registry: 'flomesh' } } },
    installedAt: '2025-01-06T09:30:00Z',
    upgradedAt: '2025-02-11T15:12:40Z',
  },
  {
    name: 'production',
    config: mergeValues(BASE_CONFIG, { fsm: { fsmController: { replicaCount: 2 }, featureFlags: { enablePluginPolicy: true } } }),
    previousConfig: mergeValues(BASE_CONFIG, { fsm: { featureFlags: { enablePluginPolicy: true } } }),
    installedAt: '2025-01-20T08:05:00Z',
    upgradedAt: '2025-02-24T10:41:15Z',
  },
];

function addSeconds(rfc3339: string, seconds: number): string {
  return new Date(Date.parse(rfc3339) + seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

function stableUid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest('hex');
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function shortHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 10);
}

/** fieldsV1 for a value: every map key owned (`f:key`), lists and scalars owned as a whole. */
function fieldsV1(value: JsonValue): JsonObject {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [`f:${k}`, fieldsV1(v)]));
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k] as JsonValue)]),
  );
}

function meta(object: KubeObject): JsonObject {
  return object.metadata;
}

function setDefault(target: JsonObject, key: string, value: JsonValue): void {
  if (!Object.hasOwn(target, key)) target[key] = value;
}

function podTemplateDefaults(template: JsonObject): void {
  const metadata = isObject(template['metadata']) ? template['metadata'] : (template['metadata'] = {});
  setDefault(metadata, 'creationTimestamp', null);
  const spec = isObject(template['spec']) ? template['spec'] : (template['spec'] = {});
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  if (typeof spec['serviceAccountName'] === 'string') setDefault(spec, 'serviceAccount', spec['serviceAccountName']);
  for (const container of Array.isArray(spec['containers']) ? spec['containers'] : []) {
    if (!isObject(container)) continue;
    const image = String(container['image'] ?? '');
    setDefault(container, 'imagePullPolicy', image.endsWith(':latest') || !image.includes(':') ? 'Always' : 'IfNotPresent');
    setDefault(container, 'resources', {});
    setDefault(container, 'terminationMessagePath', '/dev/termination-log');
    setDefault(container, 'terminationMessagePolicy', 'File');
    for (const port of Array.isArray(container['ports']) ? container['ports'] : []) if (isObject(port)) setDefault(port, 'protocol', 'TCP');
  }
}

/** Fields the API server defaults and status the controllers report, for the kinds the examples hold. */
function serverSide(object: KubeObject, env: string, createdAt: string): void {
  const m = meta(object);
  const spec = isObject(object['spec']) ? object['spec'] : undefined;
  const name = object.metadata.name;
  const replicas = typeof spec?.['replicas'] === 'number' ? spec['replicas'] : 1;
  const template = spec && isObject(spec['template']) ? spec['template'] : undefined;
  if (template) podTemplateDefaults(template);
  const condition = (type: string, reason: string, message: string): JsonObject => ({
    lastTransitionTime: addSeconds(createdAt, 40),
    lastUpdateTime: addSeconds(createdAt, 40),
    message,
    reason,
    status: 'True',
    type,
  });
  switch (object.kind) {
    case 'Namespace': {
      const labels = isObject(m['labels']) ? m['labels'] : (m['labels'] = {});
      setDefault(labels, 'kubernetes.io/metadata.name', name);
      object['spec'] = { finalizers: ['kubernetes'] };
      object['status'] = { phase: 'Active' };
      break;
    }
    case 'Deployment': {
      if (!spec) break;
      const annotations = isObject(m['annotations']) ? m['annotations'] : (m['annotations'] = {});
      setDefault(annotations, 'deployment.kubernetes.io/revision', '1');
      setDefault(spec, 'replicas', replicas);
      setDefault(spec, 'progressDeadlineSeconds', 600);
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'strategy', { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' });
      const rs = `${name}-${shortHash(env, 'rs', name).slice(0, 10)}`;
      object['status'] = {
        availableReplicas: replicas,
        conditions: [
          condition('Available', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
          condition('Progressing', 'NewReplicaSetAvailable', `ReplicaSet "${rs}" has successfully progressed.`),
        ],
        observedGeneration: 1,
        readyReplicas: replicas,
        replicas,
        updatedReplicas: replicas,
      };
      break;
    }
    case 'StatefulSet': {
      if (!spec) break;
      setDefault(spec, 'replicas', replicas);
      setDefault(spec, 'podManagementPolicy', 'OrderedReady');
      setDefault(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'updateStrategy', { rollingUpdate: { partition: 0 }, type: 'RollingUpdate' });
      const revision = `${name}-${shortHash(env, 'sts', name)}`;
      object['status'] = {
        availableReplicas: replicas,
        collisionCount: 0,
        currentReplicas: replicas,
        currentRevision: revision,
        observedGeneration: 1,
        readyReplicas: replicas,
        replicas,
        updateRevision: revision,
        updatedReplicas: replicas,
      };
      break;
    }
    case 'DaemonSet': {
      if (!spec) break;
      setDefault(spec, 'revisionHistoryLimit', 10);
      setDefault(spec, 'updateStrategy', { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' });
      const nodes = 3;
      object['status'] = {
        currentNumberScheduled: nodes,
        desiredNumberScheduled: nodes,
        numberAvailable: nodes,
        numberMisscheduled: 0,
        numberReady: nodes,
        observedGeneration: 1,
        updatedNumberScheduled: nodes,
      };
      break;
    }
    default:
      break;
  }
}

function liveCrd(crd: KubeObject, createdAt: string): KubeObject {
  const live = stripCrd(crd);
  const spec = live['spec'] as JsonObject;
  setDefault(spec, 'conversion', { strategy: 'None' });
  const versions = Array.isArray(spec['versions']) ? spec['versions'].filter(isObject) : [];
  const storage = versions.find((v) => v['storage'] === true)?.['name'] ?? null;
  const at = addSeconds(createdAt, 1);
  live['status'] = {
    acceptedNames: cloneJson(spec['names'] as JsonObject),
    conditions: [
      { lastTransitionTime: at, message: 'no conflicts found', reason: 'NoConflicts', status: 'True', type: 'NamesAccepted' },
      { lastTransitionTime: at, message: 'the initial names have been accepted', reason: 'InitialNamesAccepted', status: 'True', type: 'Established' },
    ],
    storedVersions: storage === null ? [] : [storage],
  };
  return live;
}

function managedByGitops(object: KubeObject, env: string): boolean {
  const labels = labelsOf(object);
  return labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labels[ENVIRONMENT_LABEL] === env;
}

function buildSnapshot(reference: Reference, env: EnvironmentSpec): string {
  const handWritten = loadAll(readFileSync(new URL(`scripts/example-clusters/${env.name}.objects.yaml`, PROJECT), 'utf8')).filter(
    (d) => d !== null && d !== undefined,
  ) as JsonValue[];
  for (const doc of handWritten) if (!isKubeObject(doc)) throw new Error(`${env.name}.objects.yaml: a document is not a Kubernetes object`);
  const objects: { object: KubeObject; createdAt: string }[] = [];

  const install = env.installedAt;
  // CRDs come first (fsm-bootstrap installs them), then namespaces, FSM's own objects, then the apps.
  for (const crd of reference.crds) objects.push({ object: liveCrd(crd, install), createdAt: addSeconds(install, 20) });

  const meshConfigCrd = reference.crds.find((c) => c.metadata.name === 'meshconfigs.config.flomesh.io');
  if (!meshConfigCrd) throw new Error('no MeshConfig CRD');
  const specSchema = crdSchema(meshConfigCrd, 'v1alpha3')['properties'];
  if (!isObject(specSchema) || !isObject(specSchema['spec'])) throw new Error('MeshConfig v1alpha3 schema has no spec');
  const values = mergeValues(reference.valuesYaml, env.config);
  const { spec, filledByGo } = bootstrapMeshConfigSpec(reference, values, specSchema['spec']);
  if (filledByGo.length > 0) {
    const collapsed = [...new Set(filledByGo.map((p) => p.replace(/\[\d+\]/g, '[]')))];
    console.log(`${env.name}: MeshConfig fields the preset omits and fsm-bootstrap's Go types write as zero values: ${collapsed.join(', ')}`);
  }
  const meshConfigCreated = addSeconds(install, 35);
  const meshConfig: KubeObject = {
    apiVersion: MESH_CONFIG_API_VERSION,
    kind: 'MeshConfig',
    metadata: {
      name: MESH_CONFIG_NAME,
      namespace: FSM_NAMESPACE,
      generation: 1,
      managedFields: [
        {
          apiVersion: MESH_CONFIG_API_VERSION,
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': fieldsV1(spec) },
          manager: 'fsm-bootstrap',
          operation: 'Update',
          time: meshConfigCreated,
        },
      ],
    },
    spec,
  };

  const chart = {
    name: 'fsm',
    version: reference.chartVersion,
    appVersion: reference.appVersion,
    values: reference.valuesYaml,
    schemaJsonText: reference.valuesSchemaText,
  };
  const release = (revision: number, status: string, config: JsonObject, at: string, modifiedAt?: string): KubeObject =>
    encodeHelmReleaseSecret({
      name: MESH_NAME,
      namespace: FSM_NAMESPACE,
      revision,
      status,
      chart,
      config,
      firstDeployed: install,
      lastDeployed: at,
      ...(modifiedAt ? { modifiedAt } : {}),
    });

  const handObjects = handWritten as KubeObject[];
  const [namespaces, rest] = [handObjects.filter((o) => o.kind === 'Namespace'), handObjects.filter((o) => o.kind !== 'Namespace')];
  namespaces.forEach((ns, i) => objects.push({ object: ns, createdAt: addSeconds(install, i === 0 ? 0 : 3600 * 24 + i * 60) }));
  objects.push({ object: release(1, 'superseded', env.previousConfig, install, env.upgradedAt), createdAt: addSeconds(install, 5) });
  objects.push({ object: meshConfig, createdAt: meshConfigCreated });
  objects.push({ object: release(2, 'deployed', env.config, env.upgradedAt), createdAt: env.upgradedAt });
  rest.forEach((o, i) => objects.push({ object: o, createdAt: addSeconds(install, 3600 * 26 + i * 97) }));

  const documents = objects.map(({ object, createdAt }, index) => {
    const o = cloneJson(object);
    const m = meta(o);
    setDefault(m, 'creationTimestamp', createdAt);
    setDefault(m, 'uid', stableUid(env.name, o.apiVersion, o.kind, namespaceOf(o) ?? '', o.metadata.name));
    setDefault(m, 'resourceVersion', String(1200 + index * 173 + (parseInt(shortHash(env.name, o.metadata.name).slice(0, 2), 16) % 97)));
    // The API server sets generation only where a spec change is versioned: not on Namespaces, Secrets or Services.
    if (!['Namespace', 'Secret', 'Service'].includes(o.kind) && o['spec'] !== undefined) setDefault(m, 'generation', 1);
    serverSide(o, env.name, createdAt);
    if (managedByGitops(o, env.name) && !Object.hasOwn(m, 'managedFields')) {
      const owned: JsonObject = { 'f:metadata': { 'f:labels': fieldsV1(m['labels'] ?? {}) } };
      if (isObject(m['annotations'])) (owned['f:metadata'] as JsonObject)['f:annotations'] = fieldsV1(m['annotations']);
      if (o['spec'] !== undefined) owned['f:spec'] = fieldsV1(o['spec']);
      m['managedFields'] = [
        { apiVersion: o.apiVersion, fieldsType: 'FieldsV1', fieldsV1: owned, manager: FIELD_MANAGER, operation: 'Apply', time: addSeconds(createdAt, 0) },
      ];
    }
    return sortKeys(o);
  });

  const header = '# Generated by scripts/build-fixtures.ts — a live-state snapshot as kubectl get -o yaml prints it\n';
  return header + documents.map((d) => `---\n${toYaml(d)}`).join('');
}

// ---------------------------------------------------------------------------------------------------------
// Output

function toYaml(value: unknown): string {
  return dump(value, { lineWidth: -1, noRefs: true, seqNoIndent: true, quoteStyle: 'double' });
}

function write(relative: string, text: string | Buffer): void {
  const url = new URL(relative, PROJECT);
  mkdirSync(dirname(fileURLToPath(url)), { recursive: true });
  writeFileSync(url, text);
  console.log(`wrote ${relative} (${Buffer.byteLength(text)} bytes)`);
}

function main(): void {
  const reference = loadReference();

  const crdHeader = [
    `# FSM ${reference.chartVersion} CustomResourceDefinitions: MeshConfig, Plugin, PluginChain, PluginConfig.`,
    `# From flomesh-io/fsm at commit ${reference.fsmCommit}, cmd/fsm-bootstrap/crds/,`,
    '# with every `description` keyword of their schemas removed.',
    '# Generated by scripts/build-fixtures.ts from the FSM reference data (test/fixtures/fsm-reference/SOURCES.md): do not edit by hand.',
    '',
  ].join('\n');
  write('test/fixtures/fsm/crds.yaml', crdHeader + reference.crds.map((crd) => `---\n${toYaml(stripCrd(crd))}`).join(''));

  const archive = chartArchive(reference);
  const chartFiles = extractChart(archive);
  if (chartFiles['templates/preset-mesh-config.yaml'] !== reference.presetTemplate) throw new Error(`${archive}: its preset-mesh-config.yaml differs from the reference copy`);
  for (const [path, text] of Object.entries(chartFiles)) write(`${CHART_COPY_DIR}${path}`, text);
  const table = seedRows(templatesOf(chartFiles), reference.valuesYaml);
  write('src/fsm/values-meshconfig-map.ts', renderSeedTable({ chart: archive.replace(/^charts\//, ''), commit: reference.fsmCommit }, table, reference.valuesYaml));

  for (const env of ENVIRONMENTS) write(`examples/cluster/${env.name}.yaml`, buildSnapshot(reference, env));
  write('src/fsm/reference-install.ts', renderReferenceInstall(reference));

  for (const name of VERBATIM_COPIES) write(VERBATIM_DIR + name, readReference(name));
  for (const name of CHART_PACKAGE_COPIES) write(VERBATIM_DIR + name, readFileSync(new URL(name, REFERENCE)));
  write(VERBATIM_DIR + 'README.md', [
    '# FSM reference data (copies)',
    '',
    `Byte-for-byte copies of ${VERBATIM_COPIES.map((n) => `\`${n}\``).join(', ')} from \`shared/fsm-reference/\``,
    '(FSM\'s chart values and schema, the MeshConfig CRD, example plugins; SOURCES.md says where each comes from), made by',
    '`npm run fixtures` (scripts/build-fixtures.ts). test/fixtures-consistency.test.ts checks the generated',
    'fixtures against them and the schema and rule tests read them. Do not edit by hand.',
    '',
    `\`chart/\` holds \`Chart.yaml\` and \`templates/\` of \`shared/fsm-reference/${archive}\`, unpacked and unedited: the`,
    'values → MeshConfig table (src/fsm/values-meshconfig-map.ts) is derived from them, and',
    'test/fsm/values-meshconfig-map.test.ts checks that the committed table still agrees with them.',
    '',
    `\`charts/\` holds ${CHART_PACKAGE_COPIES.map((n) => `\`${n.replace(/^charts\//, '')}\``).join(', ')}: byte-for-byte copies of the packaged`,
    'charts and the Helm repository index in `shared/fsm-reference/charts/` (SOURCES.md, section charts/), which the',
    'helm tests install, upgrade and serve as a chart repository.',
    '',
  ].join('\n'));
}

/**
 * What a fresh `fsm install` with the chart's default values leaves in a cluster, as far as a plan reads
 * it: the CRDs and the MeshConfig fsm-bootstrap creates. A new environment (not yet on the default branch)
 * is planned against it, without contacting a cluster.
 */
function renderReferenceInstall(reference: Reference): string {
  const meshConfigCrd = reference.crds.find((c) => c.metadata.name === 'meshconfigs.config.flomesh.io')!;
  const specSchema = crdSchema(meshConfigCrd, 'v1alpha3')['properties'] as JsonObject;
  const values = mergeValues(reference.valuesYaml, { fsm: { meshName: MESH_NAME, fsmNamespace: FSM_NAMESPACE } });
  const { spec } = bootstrapMeshConfigSpec(reference, values, specSchema['spec'] as JsonObject);
  const install = {
    chartVersion: reference.chartVersion,
    crds: reference.crds.map((crd) => sortKeys(stripCrd(crd))),
    meshConfigSpec: sortKeys(spec),
  };
  return [
    `/** Generated by scripts/build-fixtures.ts from the FSM reference data (test/fixtures/fsm-reference/SOURCES.md; FSM ${reference.chartVersion}, flomesh-io/fsm ${reference.fsmCommit}): do not edit by hand. */`,
    "import type { JsonObject } from '../core/json.ts';",
    "import type { KubeObject } from '../core/kube.ts';",
    '',
    '/** FSM\'s CRDs (descriptions removed) and the MeshConfig spec fsm-bootstrap creates for the chart\'s default values. */',
    `export const REFERENCE_INSTALL: { chartVersion: string; crds: KubeObject[]; meshConfigSpec: JsonObject } = ${JSON.stringify(install)};`,
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
