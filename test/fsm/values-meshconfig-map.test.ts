/**
 * The values → MeshConfig table (src/fsm/values-meshconfig-map.ts) agrees with the chart it was derived from:
 * the copy of fsm-<version>.tgz's templates in test/fixtures/fsm-reference/chart (npm run fixtures).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import type { JsonObject } from '../../src/core/json.ts';
import { VALUES_TO_MESHCONFIG } from '../../src/fsm/values-meshconfig-map.ts';
import { seedRows } from '../../scripts/lib/chart-values-usage.ts';

const CHART = new URL('../fixtures/fsm-reference/chart/', import.meta.url);
const TEMPLATES = Object.fromEntries(readdirSync(new URL('templates/', CHART)).map((f) => [f, readFileSync(new URL(`templates/${f}`, CHART), 'utf8')]));
const CHART_VALUES = load(readFileSync(new URL('../fixtures/fsm-reference/values.yaml', import.meta.url), 'utf8')) as JsonObject;
const row = (values: string, meshConfig?: string) => VALUES_TO_MESHCONFIG.find((r) => r.values === values && (meshConfig === undefined || r.meshConfig === meshConfig));
const readers = (values: string): string[] => [...new Set(row(values)?.readBy.map((r) => r.object))].sort();

describe('VALUES_TO_MESHCONFIG against the chart templates', () => {
  it('is what the templates say, row for row (run `npm run fixtures` after a chart update)', () => {
    const { rows, leaves } = seedRows(TEMPLATES, CHART_VALUES);
    const expected = rows.map((r) => ({ ...r, ...(r.copied ? {} : { expression: leaves.find((l) => l.meshConfig === r.meshConfig)?.expression }) }));
    assert.deepEqual(VALUES_TO_MESHCONFIG, expected);
  });

  it('names the chart it comes from', () => {
    const chart = load(readFileSync(new URL('Chart.yaml', CHART), 'utf8')) as JsonObject;
    const head = readFileSync(new URL('../../src/fsm/values-meshconfig-map.ts', import.meta.url), 'utf8').split('\n')[0];
    assert.match(head ?? '', new RegExp(`chart fsm-${String(chart['version']).replaceAll('.', '\\.')}\\.tgz`));
  });

  // Rows checked by hand against the templates (the rows the old table got wrong, and some it got right).
  it('fsm.image.tag feeds every control-plane image (_helpers.tpl "fsmController.image" etc.), not only the preset', () => {
    assert.deepEqual(readers('fsm.image.tag'), ['DaemonSet fsm-xnetwork', 'Deployment fsm-bootstrap', 'Deployment fsm-controller', 'Deployment fsm-ingress', 'Deployment fsm-injector']);
    assert.ok(readers('fsm.image.registry').includes('Deployment fsm-controller'));
    assert.ok(readers('fsm.image.pullPolicy').includes('Deployment fsm-controller'));
  });

  it('fsm.controllerLogLevel is the --verbosity flag of fsm-controller, fsm-injector and fsm-bootstrap', () => {
    for (const object of ['Deployment fsm-controller', 'Deployment fsm-injector', 'Deployment fsm-bootstrap']) assert.ok(readers('fsm.controllerLogLevel').includes(object), object);
  });

  it('fsm.repoServer.codebase is a selector label of fsm-controller; fsm.egressGateway.replicaCount its Deployment replicas', () => {
    assert.deepEqual(readers('fsm.repoServer.codebase'), ['Deployment fsm-controller']);
    assert.deepEqual(readers('fsm.egressGateway.replicaCount'), ['Deployment fsm-egress-gateway']);
  });

  it('fsm.sidecar.image.* reach fsm-injector (an env var) as well as spec.sidecar.sidecarImage (computed)', () => {
    assert.equal(row('fsm.sidecar.image.tag', 'sidecar.sidecarImage')?.copied, false);
    assert.deepEqual(readers('fsm.sidecar.image.tag'), ['Deployment fsm-injector']);
  });

  it('keys only the preset reads have no readers: feature flags, enableEgress, exclusion lists, warmup', () => {
    for (const values of ['fsm.featureFlags.enablePluginPolicy', 'fsm.enableEgress', 'fsm.outboundIPRangeExclusionList', 'fsm.warmup.enable', 'fsm.serviceLB.image.tag']) {
      assert.ok(row(values), values);
      assert.deepEqual(readers(values), [], values);
    }
  });

  it('install-only and delete-only hooks do not count (helm upgrade does not render them)', () => {
    const objects = new Set(VALUES_TO_MESHCONFIG.flatMap((r) => r.readBy.map((x) => x.object)));
    assert.ok(![...objects].some((o) => /preinstall|cleanup/.test(o)), [...objects].join(', '));
  });
});
