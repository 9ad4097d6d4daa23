import { basename } from 'node:path';
import { environmentAt, type EnvironmentConfig } from '../config/repo-config.ts';
import type { Finding } from '../core/finding.ts';
import { findingAt, findingInFile } from '../core/findings.ts';
import { isObject, type JsonPath, type JsonValue } from '../core/json.ts';
import { isKubeObject } from '../core/kube.ts';
import { isFsmKind } from '../fsm/kinds.ts';
import { describeValue } from '../schema/describe.ts';
import { isDnsSubdomain } from '../core/names.ts';
import { secretKeyTest } from '../redact/secret-keys.ts';
import type { DesiredEnvironment, DesiredValues, Locate } from './desired-state.ts';
import type { RepoFiles } from './repo-files.ts';
import { admitFiles, environmentAllowance, isManifestFile, pluginScriptFile, type ReadAllowance } from './managed-files.ts';
import { decodeTextFile, type TextFileResult } from './text-file.ts';
import type { YamlDocument } from './yaml-file.ts';
import { parseYamlFileInTurns } from './yaml-file-in-turns.ts';
import { yaml11Findings } from './yaml11-findings.ts';

const VALUES_FILES = ['values.yaml', 'values.yml'];

/**
 * Reads every YAML file in an environment's folder into resources and values, with a finding for each thing
 * it cannot read. Only managed files are read (managed-files.ts), each and all within their size limits.
 */
export async function loadEnvironment(repo: RepoFiles, environment: EnvironmentConfig): Promise<DesiredEnvironment> {
  const files = await repo.list(environment.path);
  const result: DesiredEnvironment = { environment, resources: [], values: undefined, findings: [], empty: false, unread: [] };
  for (const link of (await repo.links?.(environment.path)) ?? []) {
    // What a link holds is unknown (it is never followed): it may be manifests still wanted.
    result.unread.push(link);
    result.findings.push(findingInFile(link, 1, 1, 'notice', 'symlink-skipped', `${link} is a symbolic link: fsm-gitops never follows links (one could point outside the repository), so nothing behind it is planned or applied. Put the files themselves in ${environment.path}/`));
  }
  const valuesFiles = new Set(VALUES_FILES.map((name) => `${environment.path}/${name}`));
  const [valuesYaml, valuesYml] = [...valuesFiles];
  // Both: values.yaml, the name Helm and the docs use, is the one read; the other is an error, never half-read.
  const ignoredValues = files.includes(valuesYaml!) && files.includes(valuesYml!) ? valuesYml : undefined;
  if (ignoredValues) {
    result.findings.push(findingInFile(ignoredValues, 1, 1, 'error', 'values-file-duplicate', `${ignoredValues} and ${valuesYaml} both hold the chart's values: fsm-gitops reads one values file per environment, ${valuesYaml}; merge the two into it and remove ${ignoredValues}`));
  }

  const allowance = environmentAllowance();
  const manifests = files.filter((file) => isManifestFile(file) && file !== ignoredValues);
  const admitted = await admitFiles(repo, manifests, allowance, result.findings);
  // A manifest file left unread (refused by its size) may hold objects still wanted: nothing is pruned then.
  const refused = new Set(manifests);
  for (const file of admitted) refused.delete(file);
  for (const file of refused) if (!valuesFiles.has(file)) result.unread.push(file);
  const isSecret = secretKeyTest(environment.redactKeys);
  const emptyFiles: string[] = [];
  for (const file of admitted) {
    const documents = await readYaml(repo, file, result.findings, isSecret);
    if (valuesFiles.has(file)) {
      if (documents) result.values = toValues(file, documents, result.findings);
    } else if (!documents) {
      result.unread.push(file);
    } else {
      for (const document of documents) collectResources(file, document, result);
      if (documents.every((d) => d.value === null)) emptyFiles.push(file);
    }
  }
  checkNotEmpty(files, result);
  // Said once the environment is known not to be empty (environment-empty is then the one finding).
  if (!result.empty) for (const file of emptyFiles) result.findings.push(findingInFile(file, 1, 1, 'notice', 'file-empty', `${file} holds no manifest (it is empty, or only comments): nothing in it is applied; if it held objects before, the plan deletes them (prune)`));
  await inlinePipyScripts(repo, files, allowance, result);
  return result;
}

/**
 * An environment with no manifests and no values is "empty" whatever else its folder holds (a `.gitkeep`,
 * a README, a YAML file of comments): nothing may be pruned from it, and it is an error unless a file that
 * could not be read already explains why. The finding names the file it is about: the folder's first YAML
 * file, else its first file, else the line of `path` in the repository config.
 */
function checkNotEmpty(files: string[], result: DesiredEnvironment): void {
  const hasValues = result.values !== undefined && Object.keys(result.values.values).length > 0;
  if (result.resources.length > 0 || hasValues) return;
  result.empty = true;
  if (result.findings.some((f) => f.severity === 'error')) return;
  const { environment } = result;
  const where = `Check environments.${environment.name}.path in the repository config; nothing is planned for an empty folder (prune would otherwise delete everything fsm-gitops manages there)`;
  const about = files.find(isManifestFile) ?? files[0];
  if (about === undefined) {
    result.findings.push({
      severity: 'error',
      code: 'environment-empty',
      message: `environment ${environment.name}: ${environment.path}/ holds no files (the folder is empty or not there; paths are from the repository's root). ${where}`,
      ...(environment.at ? environmentAt(environment) : {}),
    });
    return;
  }
  const names = files.slice(0, 5).map((f) => f.slice(environment.path.length + 1));
  const listed = `${names.join(', ')}${files.length > names.length ? `, and ${files.length - names.length} more` : ''}`;
  result.findings.push(
    findingInFile(about, 1, 1, 'error', 'environment-empty', `environment ${environment.name}: ${environment.path}/ holds no FSM resources and no values (only ${listed}). ${where}`),
  );
}

/** The file as text, or why it is not (admitFiles() has checked its size). */
async function readText(repo: RepoFiles, file: string): Promise<TextFileResult | undefined> {
  const bytes = await repo.read(file);
  return bytes === undefined ? undefined : decodeTextFile(bytes);
}

async function readYaml(repo: RepoFiles, file: string, findings: Finding[], isSecret: (key: string) => boolean): Promise<YamlDocument[] | undefined> {
  const text = await readText(repo, file);
  if (text === undefined) return undefined;
  if (!text.ok) {
    findings.push(findingInFile(file, text.line, text.column, 'error', text.code, text.message));
    return undefined;
  }
  const parsed = await parseYamlFileInTurns(text.text, file);
  if (!parsed.ok) {
    findings.push(findingInFile(file, parsed.line, parsed.column, 'error', parsed.code, parsed.message));
    return undefined;
  }
  findings.push(...yaml11Findings(file, parsed.yaml11, isSecret));
  return parsed.documents;
}

function toValues(file: string, documents: YamlDocument[], findings: Finding[]): DesiredValues | undefined {
  const nonEmpty = documents.filter((d) => d.value !== null);
  const [document, extra] = nonEmpty;
  if (!document) return { file, values: {}, locate: () => ({ line: 1, column: 1 }) };
  if (extra) {
    findings.push(findingInFile(file, extra.line, 1, 'error', 'manifest-invalid', 'values.yaml holds more than one YAML document; Helm reads only the first: keep one'));
  }
  if (!isObject(document.value)) {
    findings.push(findingInFile(file, document.line, 1, 'error', 'manifest-invalid', `values.yaml must be a mapping of chart values, not ${describe(document.value)}`));
    return undefined;
  }
  if (holdsMoreThan(document.value, MAX_VALUES)) {
    findings.push(
      findingInFile(file, document.line, 1, 'error', 'yaml-limit', `values.yaml holds more than ${MAX_VALUES.toLocaleString('en')} values (FSM's chart has about 800): it is not planned; keep only the values you change from the chart's defaults`),
    );
    return undefined;
  }
  return { file, values: document.value, locate: document.locate };
}

/**
 * The most values (mappings, lists and scalars, counted as written) a values.yaml may hold: FSM's chart has
 * 819 (fsm-reference values.yaml). Every values rule and the Helm values diff work per value, so a file of
 * hundreds of thousands of keys, still under the file-size limit, would hold a worker for minutes.
 */
const MAX_VALUES = 10_000;

/** Whether `value` holds more than `limit` nodes, counting no further than that. */
function holdsMoreThan(value: JsonValue, limit: number): boolean {
  let count = 0;
  const stack: JsonValue[] = [value];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (++count > limit) return true;
    if (typeof node === 'object' && node !== null) for (const child of Object.values(node)) stack.push(child);
  }
  return false;
}

function collectResources(file: string, document: YamlDocument, into: DesiredEnvironment): void {
  const value = document.value;
  if (value === null) return; // an empty document, e.g. after a trailing `---`
  if (isObject(value) && value['kind'] === 'List' && Array.isArray(value['items'])) {
    value['items'].forEach((item, i) => addResource(file, item, prefixed(document.locate, ['items', i]), into));
    return;
  }
  addResource(file, value, document.locate, into);
}

function addResource(file: string, value: JsonValue, locate: Locate, into: DesiredEnvironment): void {
  const source = { file, locate };
  // A document that is no object cannot say which object it was meant to be: the file is not fully read.
  const unreadable = (finding: Finding): void => {
    into.findings.push(finding);
    if (!into.unread.includes(file)) into.unread.push(file);
  };
  if (!isObject(value)) {
    unreadable(findingAt(source, [], 'error', 'manifest-invalid', `a manifest must be a mapping with apiVersion, kind and metadata, not ${describe(value)}`));
    return;
  }
  const missing = (['apiVersion', 'kind'] as const).filter((k) => typeof value[k] !== 'string' || value[k] === '');
  if (missing.length > 0) {
    const valuesHint = VALUES_FILES.includes(basename(file)) ? `; Helm values are read only from the environment's own folder (${into.environment.path}/${basename(file)}), so this file is read as manifests` : '';
    unreadable(findingAt(source, [], 'error', 'manifest-invalid', `the manifest has no ${missing.join(' or ')}: every Kubernetes object needs apiVersion and kind${valuesHint}`));
    return;
  }
  const metadata = value['metadata'];
  const name = isObject(metadata) ? metadata['name'] : undefined;
  if (name !== undefined && name !== null && typeof name !== 'string') {
    unreadable(findingAt(source, ['metadata', 'name'], 'error', 'schema-type', `metadata.name must be a string, got ${describeValue(name)}: quote it`));
    return;
  }
  if (!isKubeObject(value) || value.metadata.name === '') {
    unreadable(findingAt(source, ['metadata'], 'error', 'manifest-invalid', `${String(value['kind'])} has no metadata.name: add one`));
    return;
  }
  into.resources.push({ object: value, file, locate });
}

/**
 * A Plugin without spec.pipyscript takes it from `<metadata.name>.js` beside its manifest. Only those
 * scripts are read, after the manifests, within what is left of the environment's allowance.
 */
async function inlinePipyScripts(repo: RepoFiles, files: readonly string[], allowance: ReadAllowance, into: DesiredEnvironment): Promise<void> {
  const wanted = into.resources.flatMap((resource) => {
    const { object } = resource;
    if (!isFsmKind(object, 'Plugin')) return [];
    const spec = isObject(object['spec']) ? object['spec'] : undefined;
    if (typeof spec?.['pipyscript'] === 'string' && spec['pipyscript'].trim() !== '') return [];
    if (!isDnsSubdomain(object.metadata.name)) return []; // not a file name; the safety checks report the name
    return [{ resource, spec, scriptFile: pluginScriptFile(resource.file, object.metadata.name) }];
  });
  const present = new Set(files);
  // A manifest left unread (too large, not YAML) may hold the Plugin that takes a script: none is called unused then.
  if (into.unread.length === 0) noteUnusedScripts(files, new Set(wanted.map((w) => w.scriptFile)), into);
  const scripts = [...new Set(wanted.map((w) => w.scriptFile).filter((file) => present.has(file)))];
  const admitted = new Set(await admitFiles(repo, scripts, allowance, into.findings));
  for (const { resource, spec, scriptFile } of wanted) {
    if (!present.has(scriptFile)) continue; // the pipyscript rule reports the missing script
    resource.scriptFile = scriptFile;
    if (!admitted.has(scriptFile)) continue; // refused by its size: admitFiles() said why
    const text = await readText(repo, scriptFile);
    if (text === undefined) continue;
    if (!text.ok) {
      into.findings.push(findingInFile(scriptFile, text.line, text.column, 'error', text.code, text.message));
      continue;
    }
    resource.object['spec'] = { ...(spec ?? {}), pipyscript: text.text };
  }
}

/**
 * A `.js` file in the folder that no Plugin takes as its script (a Plugin takes `<name>.js` beside its manifest
 * when it has no spec.pipyscript): a renamed Plugin's old script, or one shadowed by an inline spec.pipyscript.
 * Nothing in it is applied: a notice, so the reviewer does not think it is.
 */
function noteUnusedScripts(files: readonly string[], used: ReadonlySet<string>, into: DesiredEnvironment): void {
  const inline = new Map(
    into.resources.filter((r) => isFsmKind(r.object, 'Plugin') && isDnsSubdomain(r.object.metadata.name)).map((r) => [pluginScriptFile(r.file, r.object.metadata.name), r.object.metadata.name]),
  );
  for (const file of files) {
    if (!file.endsWith('.js') || used.has(file)) continue;
    const shadowedBy = inline.get(file);
    const why = shadowedBy
      ? `Plugin ${shadowedBy} has its script inline (spec.pipyscript), so ${basename(file)} beside it is not read; remove one of the two`
      : `no Plugin takes it as its script (a Plugin without spec.pipyscript takes <its name>.js beside its manifest): nothing in it is applied`;
    into.findings.push(findingInFile(file, 1, 1, 'notice', 'script-unused', why));
  }
}

function prefixed(locate: Locate, prefix: JsonPath): Locate {
  return (path) => locate([...prefix, ...path]);
}

function describe(value: JsonValue): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value} (${JSON.stringify(value).slice(0, 40)})`;
}
