/**
 * The generated fixtures (scripts/build-fixtures.ts) and the example GitOps repository agree with FSM's
 * reference data and with each other. Regenerate with `npm run fixtures`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { load, loadAll } from 'js-yaml';
import { deepEqual, isObject, type JsonObject, type JsonValue } from '../src/core/json.ts';
import { isKubeObject, labelsOf, namespaceOf, type KubeObject } from '../src/core/kube.ts';
import { ENVIRONMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../src/core/ownership.ts';
import { VALUES_TO_MESHCONFIG } from '../src/fsm/values-meshconfig-map.ts';
import { currentHelmRelease, decodeHelmReleaseSecret, isHelmReleaseSecret } from '../src/live/helm-release.ts';
import { validateOpenApi } from '../src/schema/openapi.ts';
import { valueAtDotted } from '../src/fsm/helm-values.ts';

const PROJECT = new URL('../', import.meta.url);
const REFERENCE = process.env['FSM_REFERENCE_DIR']
  ? pathToFileURL(resolve(process.env['FSM_REFERENCE_DIR']) + sep)
  : new URL('fixtures/fsm-reference/', import.meta.url);

const text = (relative: string, base = PROJECT): string => readFileSync(new URL(relative, base), 'utf8');
const yamlDocs = (relative: string, base = PROJECT): JsonValue[] =>
  (loadAll(text(relative, base)) as JsonValue[]).filter((d) => d !== null && d !== undefined);
const objectsIn = (relative: string): KubeObject[] =>
  yamlDocs(relative).map((d) => {
    assert.ok(isKubeObject(d), `${relative}: every document is a Kubernetes object`);
    return d;
  });

const CRDS = objectsIn('test/fixtures/fsm/crds.yaml');
const CHART_VALUES = load(text('values.yaml', REFERENCE)) as JsonObject;
const ENVS = ['staging', 'production'] as const;

function schemaOf(crds: KubeObject[], kind: string, version: string): JsonObject {
  const crd = crds.find((c) => isObject(c['spec']) && isObject(c['spec']['names']) && c['spec']['names']['kind'] === kind);
  assert.ok(crd, `a CRD for ${kind}`);
  const versions = (crd['spec'] as JsonObject)['versions'] as JsonObject[];
  const v = versions.find((x) => x['name'] === version);
  const schema = v && isObject(v['schema']) ? v['schema']['openAPIV3Schema'] : undefined;
  assert.ok(isObject(schema), `${kind} ${version} has an openAPIV3Schema`);
  return schema;
}

/** Every schema node under a schema (through properties, items, additionalProperties, anyOf/allOf/oneOf/not). */
function* schemaNodes(node: JsonValue, path: string): Generator<[string, JsonObject]> {
  if (!isObject(node)) return;
  yield [path, node];
  for (const key of ['properties', 'patternProperties'] as const) {
    const props = node[key];
    if (isObject(props)) for (const [name, child] of Object.entries(props)) yield* schemaNodes(child, `${path}.${name}`);
  }
  for (const key of ['items', 'additionalProperties', 'not'] as const) {
    const child = node[key];
    if (Array.isArray(child)) for (const [i, c] of child.entries()) yield* schemaNodes(c, `${path}.${key}[${i}]`);
    else yield* schemaNodes(child as JsonValue, `${path}.${key}`);
  }
  for (const key of ['anyOf', 'allOf', 'oneOf'] as const) {
    const list = node[key];
    if (Array.isArray(list)) for (const [i, c] of list.entries()) yield* schemaNodes(c, `${path}.${key}[${i}]`);
  }
}

function hasPath(value: JsonValue, dotted: string): boolean {
  return valueAtDotted(value, dotted) !== undefined;
}

function schemaHasPath(schema: JsonObject, dotted: string): boolean {
  let node: JsonValue | undefined = schema;
  for (const key of dotted.split('.')) {
    const props: JsonValue | undefined = isObject(node) ? node['properties'] : undefined;
    if (!isObject(props) || !isObject(props[key])) return false;
    node = props[key];
  }
  return true;
}

function merge(base: JsonValue, patch: JsonValue): JsonValue {
  if (!isObject(base) || !isObject(patch)) return structuredClone(patch);
  const out: JsonObject = structuredClone(base);
  for (const [k, v] of Object.entries(patch)) out[k] = k in out ? merge(out[k] as JsonValue, v) : structuredClone(v);
  return out;
}

function assertValid(schema: JsonObject, object: KubeObject, what: string): void {
  const violations = validateOpenApi(schema, object);
  assert.deepEqual(
    violations.map((v) => `${v.path.join('.')}: ${v.code}: ${v.message}`),
    [],
    `${what} is valid against its CRD schema`,
  );
}

describe('test/fixtures/fsm/crds.yaml', () => {
  it('holds the four FSM CRDs', () => {
    assert.deepEqual(CRDS.map((c) => c.metadata.name).sort(), [
      'meshconfigs.config.flomesh.io',
      'pluginchains.plugin.flomesh.io',
      'pluginconfigs.plugin.flomesh.io',
      'plugins.plugin.flomesh.io',
    ]);
    assert.ok(CRDS.every((c) => c.kind === 'CustomResourceDefinition'));
    assert.ok(schemaOf(CRDS, 'MeshConfig', 'v1alpha3'));
  });

  it('has no description keyword left in any schema node, and keeps everything else', () => {
    let nodes = 0;
    for (const crd of CRDS) {
      for (const version of (crd['spec'] as JsonObject)['versions'] as JsonObject[]) {
        const schema = (version['schema'] as JsonObject)['openAPIV3Schema'] as JsonObject;
        for (const [path, node] of schemaNodes(schema, `${crd.metadata.name}/${String(version['name'])}`)) {
          nodes++;
          assert.ok(!Object.hasOwn(node, 'description'), `${path} still has a description`);
        }
      }
    }
    assert.ok(nodes > 500, 'the schemas are all there');
    const v1alpha3 = schemaOf(CRDS, 'MeshConfig', 'v1alpha3');
    assert.ok(schemaHasPath(v1alpha3, 'spec.featureFlags.enablePluginPolicy'));
    assert.ok(schemaHasPath(v1alpha3, 'spec.traffic.outboundPortExclusionList'));
  });

  it('says where it comes from', () => {
    const head = text('test/fixtures/fsm/crds.yaml').split('\n---')[0] ?? '';
    const commit = /Commit: `([0-9a-f]{40})`/.exec(text('SOURCES.md', REFERENCE))?.[1];
    assert.ok(commit && head.includes(commit));
    assert.match(head, /Generated by scripts\/build-fixtures\.ts/);
  });
});

describe('VALUES_TO_MESHCONFIG', () => {
  const meshConfigSpec = (schemaOf(CRDS, 'MeshConfig', 'v1alpha3')['properties'] as JsonObject)['spec'] as JsonObject;
  const chartSchema = JSON.parse(text('values.schema.json', REFERENCE)) as JsonObject;

  it('maps the documented examples', () => {
    const lookup = new Map(VALUES_TO_MESHCONFIG.filter((e) => e.copied).map((e) => [e.values, e.meshConfig]));
    assert.equal(lookup.get('fsm.enableEgress'), 'traffic.enableEgress');
    assert.equal(lookup.get('fsm.featureFlags.enablePluginPolicy'), 'featureFlags.enablePluginPolicy');
    assert.equal(lookup.get('fsm.outboundPortExclusionList'), 'traffic.outboundPortExclusionList');
    assert.equal(lookup.get('fsm.tracing.port'), 'observability.tracing.port'); // inside an `if` block
    assert.equal(lookup.get('fsm.fsmIngress.http.nodePort'), 'ingress.http.nodePort'); // {{ default 0 ... }}
    assert.ok(!lookup.has('fsm.fsmIngress.enabled'), 'ingress.enabled is computed from two values');
    assert.ok(![...lookup.values()].includes('sidecar.sidecarImage'), 'the sidecar image comes from an include');
    const sidecarImage = VALUES_TO_MESHCONFIG.filter((e) => e.meshConfig === 'sidecar.sidecarImage').map((e) => e.values);
    assert.deepEqual(sidecarImage, ['fsm.image.registry', 'fsm.sidecar.image.name', 'fsm.sidecar.image.registry', 'fsm.sidecar.image.tag']);
  });

  it("names values paths of the chart's values.yaml", () => {
    // The preset reads fsm.tracing.sampledFraction, which values.yaml (FSM 1.6.0) leaves out; its schema declares it.
    const notInValuesYaml = ['fsm.tracing.sampledFraction'];
    for (const { values } of VALUES_TO_MESHCONFIG) {
      if (notInValuesYaml.includes(values)) {
        assert.ok(!hasPath(CHART_VALUES, values), `${values} is now in values.yaml: drop it from the exceptions`);
        assert.ok(schemaHasPath(chartSchema, values), `${values} is declared in values.schema.json`);
      } else {
        assert.ok(hasPath(CHART_VALUES, values), `${values} is in values.yaml`);
      }
    }
  });

  it('names MeshConfig spec paths of the CRD schema', () => {
    for (const { meshConfig } of VALUES_TO_MESHCONFIG) assert.ok(schemaHasPath(meshConfigSpec, meshConfig), `spec.${meshConfig} is in the CRD`);
  });

  it('has no duplicate rows, and each MeshConfig leaf is copied from at most one values path', () => {
    assert.equal(new Set(VALUES_TO_MESHCONFIG.map((e) => `${e.values} ${e.meshConfig}`)).size, VALUES_TO_MESHCONFIG.length);
    const copied = VALUES_TO_MESHCONFIG.filter((e) => e.copied);
    assert.equal(new Set(copied.map((e) => e.meshConfig)).size, copied.length);
  });
});

for (const env of ENVS) {
  describe(`examples/cluster/${env}.yaml`, () => {
    const source = `examples/cluster/${env}.yaml`;
    const objects = objectsIn(source);
    const liveCrds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
    const meshConfig = objects.find((o) => o.kind === 'MeshConfig');

    it('starts with the generated header', () => {
      assert.ok(text(source).startsWith('# Generated by scripts/build-fixtures.ts — a live-state snapshot as kubectl get -o yaml prints it\n'));
    });

    it('holds the four CRDs, the same schemas as the fixture', () => {
      assert.equal(liveCrds.length, 4);
      for (const crd of liveCrds) {
        const fixture = CRDS.find((c) => c.metadata.name === crd.metadata.name);
        assert.ok(fixture);
        assert.ok(deepEqual((crd['spec'] as JsonObject)['versions'], (fixture['spec'] as JsonObject)['versions']), crd.metadata.name);
      }
    });

    it('has a MeshConfig valid against the CRD v1alpha3 schema', () => {
      assert.ok(meshConfig);
      assert.equal(meshConfig.apiVersion, 'config.flomesh.io/v1alpha3');
      assert.equal(meshConfig.metadata.name, 'fsm-mesh-config');
      assert.equal(namespaceOf(meshConfig), 'fsm-system');
      assertValid(schemaOf(liveCrds, 'MeshConfig', 'v1alpha3'), meshConfig, `${env} MeshConfig`);
      const managers = (meshConfig.metadata['managedFields'] as JsonObject[]).map((m) => m['manager']);
      assert.deepEqual(managers, ['fsm-bootstrap']);
      const enabled = getFlag(meshConfig);
      assert.equal(enabled, env === 'production', 'plugin policy: off on staging, on on production');
    });

    it('has valid plugin objects', () => {
      for (const o of objects.filter((x) => x.apiVersion.startsWith('plugin.flomesh.io/'))) {
        assertValid(schemaOf(liveCrds, o.kind, 'v1alpha1'), o, `${env} ${o.kind} ${o.metadata.name}`);
      }
    });

    it('has a deployed Helm release of chart fsm 1.6.0 with the chart values and schema', () => {
      const secrets = objects.filter((o) => o.kind === 'Secret' && isHelmReleaseSecret(o));
      assert.deepEqual(secrets.map((s) => s.metadata.name).sort(), ['sh.helm.release.v1.fsm.v1', 'sh.helm.release.v1.fsm.v2']);
      const current = currentHelmRelease(secrets, 'fsm');
      assert.equal(current?.metadata.name, 'sh.helm.release.v1.fsm.v2');
      const release = decodeHelmReleaseSecret(current as KubeObject);
      assert.equal(release.status, 'deployed');
      assert.equal(release.revision, 2);
      assert.equal(release.chartName, 'fsm');
      assert.equal(release.chartVersion, '1.6.0');
      assert.ok(deepEqual(release.chartValues, CHART_VALUES), "chart.values equals the chart's values.yaml");
      assert.ok(deepEqual(release.chartSchema, JSON.parse(text('values.schema.json', REFERENCE))), 'chart.schema is values.schema.json');
    });

    it('has monitored namespaces with workloads, and an unmonitored one', () => {
      const monitored = objects.filter((o) => o.kind === 'Namespace' && labelsOf(o)['flomesh.io/monitored-by'] === 'fsm').map((o) => o.metadata.name);
      assert.deepEqual(monitored.sort(), env === 'staging' ? ['bookinfo', 'payments'] : ['bookinfo', 'checkout', 'payments']);
      const kinds = new Set(objects.filter((o) => monitored.includes(namespaceOf(o) ?? '')).map((o) => o.kind));
      for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet']) assert.ok(kinds.has(kind), kind);
      assert.ok(objects.some((o) => o.kind === 'Deployment' && namespaceOf(o) === 'monitoring'));
    });
  });
}

function getFlag(meshConfig: KubeObject): unknown {
  const spec = meshConfig['spec'];
  return isObject(spec) && isObject(spec['featureFlags']) ? spec['featureFlags']['enablePluginPolicy'] : undefined;
}

describe('examples/gitops', () => {
  const liveObjects = (env: string): KubeObject[] => objectsIn(`examples/cluster/${env}.yaml`);
  const deployedConfig = (env: string): JsonObject => {
    const objects = liveObjects(env);
    const current = currentHelmRelease(objects.filter((o) => o.kind === 'Secret'), 'fsm');
    assert.ok(current);
    return decodeHelmReleaseSecret(current).config;
  };

  for (const env of ENVS) {
    it(`${env}: meshconfig.yaml merged onto the live MeshConfig is valid`, () => {
      const [partial] = objectsIn(`examples/gitops/clusters/${env}/meshconfig.yaml`);
      assert.ok(partial);
      const live = liveObjects(env).find((o) => o.kind === 'MeshConfig');
      assert.ok(live);
      const merged = merge(live, partial) as KubeObject;
      assertValid(schemaOf(CRDS, 'MeshConfig', 'v1alpha3'), merged, `${env} merged MeshConfig`);
      assert.equal(getFlag(merged), true, 'plugin policy is on after the change');
      if (env === 'production') assert.ok(deepEqual(merged['spec'], live['spec']), 'production plans no MeshConfig change');
    });
  }

  it('staging: plugin manifests (with the script inlined) are valid', () => {
    const manifests = objectsIn('examples/gitops/clusters/staging/plugins/cors.yaml');
    assert.deepEqual(manifests.map((m) => `${m.kind}/${m.metadata.name}`), ['Plugin/cors-policy', 'PluginChain/cors-chain', 'PluginConfig/cors-config']);
    const plugin = manifests[0] as KubeObject;
    assert.equal((plugin['spec'] as JsonObject)['pipyscript'], undefined, 'the script lives in cors-policy.js');
    (plugin['spec'] as JsonObject)['pipyscript'] = text('examples/gitops/clusters/staging/plugins/cors-policy.js');
    const sample = load(text('cors.yaml', REFERENCE)) as JsonObject;
    assert.equal((plugin['spec'] as JsonObject)['pipyscript'], (sample['spec'] as JsonObject)['pipyscript'], "cors-policy.js is fsm-docs' sample script");
    for (const m of manifests) assertValid(schemaOf(CRDS, m.kind, 'v1alpha1'), m, `${m.kind} ${m.metadata.name}`);
  });

  it('staging: the cluster holds a managed legacy plugin the repo dropped, and an unmanaged one', () => {
    const objects = liveObjects('staging');
    const managed = objects.filter((o) => labelsOf(o)[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labelsOf(o)[ENVIRONMENT_LABEL] === 'staging');
    assert.deepEqual(managed.map((o) => `${o.kind}/${o.metadata.name}`).sort(), ['Plugin/legacy-logger', 'PluginChain/legacy-logger-chain']);
    const teamAuthz = objects.find((o) => o.kind === 'Plugin' && o.metadata.name === 'team-authz');
    assert.ok(teamAuthz && labelsOf(teamAuthz)[MANAGED_BY_LABEL] === undefined);
  });

  it('staging: values.yaml changes only fsm.fsmController.replicaCount, a key that does not seed the MeshConfig', () => {
    const desired = load(text('examples/gitops/clusters/staging/values.yaml')) as JsonObject;
    const deployed = deployedConfig('staging');
    assert.ok(!deepEqual(desired, deployed));
    const fsm = structuredClone(desired['fsm']) as JsonObject;
    assert.equal((fsm['fsmController'] as JsonObject)['replicaCount'], 2);
    assert.equal(((deployed['fsm'] as JsonObject)['fsmController'] as JsonObject)['replicaCount'], 1);
    (fsm['fsmController'] as JsonObject)['replicaCount'] = 1;
    assert.ok(deepEqual({ ...desired, fsm }, deployed), 'nothing else differs');
    assert.ok(!VALUES_TO_MESHCONFIG.some((e) => e.values.startsWith('fsm.fsmController')));
  });

  it("production: values.yaml equals the deployed release's values", () => {
    assert.ok(deepEqual(load(text('examples/gitops/clusters/production/values.yaml')), deployedConfig('production')));
  });

  it('.github/fsm-gitops.yml lists the environments and their namespaces', () => {
    const config = load(text('examples/gitops/.github/fsm-gitops.yml')) as JsonObject;
    const envs = config['environments'] as JsonObject;
    assert.deepEqual(Object.keys(envs), ['staging', 'production']);
    assert.deepEqual((envs['staging'] as JsonObject)['namespaces'], ['bookinfo', 'payments']);
    assert.deepEqual((envs['production'] as JsonObject)['namespaces'], ['bookinfo', 'payments', 'checkout']);
  });
});
