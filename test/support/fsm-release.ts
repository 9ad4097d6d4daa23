import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { load } from 'js-yaml';
import type { JsonObject } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { encodeHelmReleaseSecret } from '../../scripts/lib/helm-release-encode.ts';
import { fsmChart } from './helm-charts.ts';

/** Files Helm keeps apart from chart.files in a release (chart.Chart's metadata, lock, values, schema). */
const SPECIAL = new Set(['Chart.yaml', 'Chart.lock', 'values.yaml', 'values.schema.json']);

/**
 * The Secret Helm stores for revision `revision` of release fsm/fsm-system installed from FSM's packaged chart
 * (test/fixtures/fsm-reference/charts) with `config` as its values and `manifest` as what it installed: the
 * chart's metadata, values, schema, templates and files, as Helm 3 stores them (scripts/lib/helm-release-encode.ts).
 */
export function fsmReleaseSecret(version: '1.5.1' | '1.6.0', config: JsonObject, manifest: string, revision = 1): KubeObject {
  const dir = mkdtempSync(join(tmpdir(), 'fsm-chart-'));
  try {
    execFileSync('tar', ['xzf', fsmChart(version).path, '-C', dir]);
    const root = join(dir, 'fsm');
    const files = walk(root).map((path) => ({ name: relative(root, path), data: readFileSync(path) }));
    const chartYaml = load(readFileSync(join(root, 'Chart.yaml'), 'utf8')) as JsonObject;
    return encodeHelmReleaseSecret({
      name: 'fsm',
      namespace: 'fsm-system',
      revision,
      status: 'deployed',
      chart: {
        name: 'fsm',
        version,
        appVersion: String(chartYaml['appVersion']),
        kubeVersion: String(chartYaml['kubeVersion']),
        values: load(readFileSync(join(root, 'values.yaml'), 'utf8')) as JsonObject,
        schemaJsonText: readFileSync(join(root, 'values.schema.json'), 'utf8'),
        templates: files.filter((f) => f.name.startsWith('templates/')),
        files: files.filter((f) => !f.name.startsWith('templates/') && !SPECIAL.has(f.name)),
      },
      config,
      manifest,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
