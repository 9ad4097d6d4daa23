import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { JsonObject } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { liveStateFromObjects } from '../../src/live/snapshot.ts';
import {
  currentHelmRelease,
  latestRevision,
  decodeHelmReleaseSecret,
  HelmReleaseDecodeError,
  isHelmReleaseSecret,
} from '../../src/live/helm-release.ts';
import {
  encodeHelmReleaseSecret,
  encodeHelmReleaseString,
  helmReleaseJson,
  type HelmReleaseInput,
} from '../../scripts/lib/helm-release-encode.ts';

const SCHEMA_TEXT = '{\n  "$schema": "http://json-schema.org/draft-07/schema",\n  "type": "object",\n  "required": ["fsm"]\n}\n';

function input(overrides: Partial<HelmReleaseInput> = {}): HelmReleaseInput {
  return {
    name: 'fsm',
    namespace: 'fsm-system',
    revision: 2,
    status: 'deployed',
    chart: {
      name: 'fsm',
      version: '1.6.0',
      appVersion: 'v1.6.0',
      values: { fsm: { meshName: 'fsm', fsmController: { replicaCount: 1 } } },
      schemaJsonText: SCHEMA_TEXT,
    },
    config: { fsm: { fsmNamespace: 'fsm-system', fsmController: { replicaCount: 2 } } },
    ...overrides,
  };
}

function b64(text: string | Buffer): string {
  return Buffer.from(text).toString('base64');
}

/** A release Secret whose data.release is the Secret's base64 of a given Helm string. */
function secretWithHelmString(helmString: string, name = 'sh.helm.release.v1.fsm.v2'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: { name, namespace: 'fsm-system', labels: { name: 'fsm', owner: 'helm', status: 'deployed', version: '2' } },
    data: { release: b64(helmString) },
  };
}

function expectDecodeError(secret: KubeObject, pattern: RegExp, mustNotContain: string[]): void {
  assert.throws(
    () => decodeHelmReleaseSecret(secret),
    (error: unknown) => {
      assert.ok(error instanceof HelmReleaseDecodeError, `expected HelmReleaseDecodeError, got ${String(error)}`);
      assert.match(error.message, /fsm-system\/sh\.helm\.release\.v1\.fsm\.v2/);
      assert.match(error.message, pattern);
      for (const fragment of mustNotContain) assert.ok(!error.message.includes(fragment), `message leaks ${JSON.stringify(fragment)}: ${error.message}`);
      assert.equal(error.cause, undefined);
      return true;
    },
  );
}

describe('Helm release Secrets', () => {
  it('round-trips encode → decode', () => {
    const secret = encodeHelmReleaseSecret(input());
    assert.equal(secret.metadata.name, 'sh.helm.release.v1.fsm.v2');
    assert.ok(isHelmReleaseSecret(secret));
    const release = decodeHelmReleaseSecret(secret);
    assert.deepEqual(release, {
      name: 'fsm',
      namespace: 'fsm-system',
      revision: 2,
      status: 'deployed',
      chartName: 'fsm',
      chartVersion: '1.6.0',
      appVersion: 'v1.6.0',
      config: { fsm: { fsmNamespace: 'fsm-system', fsmController: { replicaCount: 2 } } },
      chartValues: { fsm: { meshName: 'fsm', fsmController: { replicaCount: 1 } } },
      chartSchema: JSON.parse(SCHEMA_TEXT) as JsonObject,
      manifest: '',
      chartFiles: release.chartFiles,
    });
    assert.deepEqual(release.chartFiles.map((f) => f.name), ['Chart.yaml', 'values.yaml', 'values.schema.json']);
  });

  it('stores what Helm 3 stores: base64 inside base64, gzip magic inside', () => {
    const secret = encodeHelmReleaseSecret(input());
    const helmString = Buffer.from(String((secret['data'] as JsonObject)['release']), 'base64').toString('latin1');
    const inner = Buffer.from(helmString, 'base64');
    assert.deepEqual([inner[0], inner[1]], [0x1f, 0x8b]);
    const json = helmReleaseJson(input());
    assert.equal((json['chart'] as JsonObject)['schema'], b64(SCHEMA_TEXT));
    assert.deepEqual((json['chart'] as JsonObject)['templates'], []);
    assert.equal(json['manifest'], '');
    assert.deepEqual(((json['chart'] as JsonObject)['metadata'] as JsonObject)['apiVersion'], 'v2');
  });

  it('decodes a release stored without gzip', () => {
    const secret = secretWithHelmString(encodeHelmReleaseString(input({ gzip: false })));
    const release = decodeHelmReleaseSecret(secret);
    assert.equal(release.revision, 2);
    assert.equal(release.chartVersion, '1.6.0');
  });

  it('decodes stringData.release (the Helm string, not wrapped in the Secret base64)', () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'helm.sh/release.v1',
      metadata: { name: 'sh.helm.release.v1.fsm.v2', namespace: 'fsm-system' },
      stringData: { release: encodeHelmReleaseString(input()) },
    };
    assert.equal(decodeHelmReleaseSecret(secret).chartName, 'fsm');
  });

  it('keeps only the fields fsm-gitops needs: the manifest (a chart upgrade is diffed against it), not the hooks', () => {
    const json = helmReleaseJson(input());
    json['manifest'] = '---\nkind: Secret\ndata: {token: c2VjcmV0}\n';
    json['hooks'] = [{ name: 'pre-install' }];
    const secret = secretWithHelmString(b64(gzipSync(JSON.stringify(json))));
    const release = decodeHelmReleaseSecret(secret) as unknown as Record<string, unknown>;
    assert.deepEqual(Object.keys(release).sort(), [
      'appVersion', 'chartFiles', 'chartName', 'chartSchema', 'chartValues', 'chartVersion', 'config', 'manifest', 'name', 'namespace', 'revision', 'status',
    ]);
    assert.equal(release['manifest'], json['manifest']);
    assert.ok(!JSON.stringify(release).includes('pre-install'));
  });

  it("writes the chart's files back as Helm stored them: Chart.yaml and values.yaml from metadata and values, templates and files as bytes", () => {
    const release = decodeHelmReleaseSecret(encodeHelmReleaseSecret(input({ chart: { ...input().chart, kubeVersion: '>= 1.19.0-0', templates: [{ name: 'templates/a.yaml', data: Buffer.from('kind: A\n') }], files: [{ name: 'README.md', data: Buffer.from('hi') }] } })));
    const files = Object.fromEntries(release.chartFiles.map((f) => [f.name, Buffer.from(f.base64, 'base64').toString('utf8')]));
    assert.deepEqual(Object.keys(files), ['Chart.yaml', 'values.yaml', 'values.schema.json', 'templates/a.yaml', 'README.md']);
    assert.deepEqual(JSON.parse(files['Chart.yaml']!), { name: 'fsm', version: '1.6.0', apiVersion: 'v2', appVersion: 'v1.6.0', kubeVersion: '>= 1.19.0-0' });
    assert.equal(files['templates/a.yaml'], 'kind: A\n');
    assert.equal(release.chartKubeVersion, '>= 1.19.0-0');
  });

  it('treats null config and values (no user values) as empty objects; a missing schema as absent', () => {
    const json = helmReleaseJson(input());
    json['config'] = null;
    delete (json['chart'] as JsonObject)['schema'];
    (json['chart'] as JsonObject)['values'] = null;
    const release = decodeHelmReleaseSecret(secretWithHelmString(b64(gzipSync(JSON.stringify(json)))));
    assert.deepEqual(release.config, {});
    assert.deepEqual(release.chartValues, {});
    assert.equal(release.chartSchema, undefined);
  });

  it('picks the deployed revision among superseded ones', () => {
    const v1 = encodeHelmReleaseSecret(input({ revision: 1, status: 'superseded' }));
    const v2 = encodeHelmReleaseSecret(input({ revision: 2, status: 'superseded' }));
    const v3 = encodeHelmReleaseSecret(input({ revision: 3, status: 'deployed' }));
    const v4 = encodeHelmReleaseSecret(input({ revision: 4, status: 'failed' }));
    const other = encodeHelmReleaseSecret(input({ name: 'other', revision: 9, status: 'deployed' }));
    const notHelm: KubeObject = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'sh.helm.release.v1.fsm.v7', labels: { status: 'deployed' } } };
    const picked = currentHelmRelease([v4, v1, other, v3, notHelm, v2], 'fsm');
    assert.equal(picked?.metadata.name, 'sh.helm.release.v1.fsm.v3');
    assert.equal(currentHelmRelease([v1, v2, v4], 'fsm'), undefined);
    assert.equal(currentHelmRelease([v3], 'nope'), undefined);
  });

  it('the newest revision, whatever its status (a pending or failed upgrade after the deployed one), is in the live state, with the last that succeeded (deployed or superseded)', () => {
    const v1 = encodeHelmReleaseSecret(input({ revision: 1, status: 'superseded' }));
    const v2 = encodeHelmReleaseSecret(input({ revision: 2, status: 'deployed' }));
    const v3 = encodeHelmReleaseSecret(input({ revision: 3, status: 'pending-upgrade' }));
    const other = encodeHelmReleaseSecret(input({ name: 'other', revision: 9, status: 'pending-install' }));
    assert.deepEqual(latestRevision([v3, v1, other, v2], 'fsm'), { revision: 3, status: 'pending-upgrade', lastSucceeded: 2 });
    assert.equal(latestRevision([other], 'fsm'), undefined);
    const live = liveStateFromObjects('test', [v1, v2, v3], { name: 'fsm', namespace: 'fsm-system' });
    assert.equal(live.helmRelease?.revision, 2, 'the plan compares with the deployed revision');
    assert.deepEqual(live.helmReleaseLatest, { revision: 3, status: 'pending-upgrade', lastSucceeded: 2 });
  });

  it('never takes another release\'s Secret, however it is labelled', () => {
    const other = encodeHelmReleaseSecret(input({ name: 'payments-db', revision: 3, status: 'deployed' }));
    // Someone labels another release's Secret with the mesh's name: it is still not the mesh's release.
    (other.metadata['labels'] as JsonObject)['name'] = 'fsm';
    assert.equal(currentHelmRelease([other], 'fsm'), undefined);
    // The right name, the wrong label: not taken either.
    const mislabelled = encodeHelmReleaseSecret(input({ revision: 4, status: 'deployed' }));
    (mislabelled.metadata['labels'] as JsonObject)['name'] = 'payments-db';
    assert.equal(currentHelmRelease([mislabelled], 'fsm'), undefined);
  });

  it('refuses a Secret named for the mesh whose release is another one', () => {
    const forged = encodeHelmReleaseSecret(input({ name: 'payments-db', revision: 3, status: 'deployed' }));
    forged.metadata.name = 'sh.helm.release.v1.fsm.v3';
    (forged.metadata['labels'] as JsonObject)['name'] = 'fsm';
    assert.throws(() => liveStateFromObjects('test', [forged], { name: 'fsm', namespace: 'fsm-system' }), /holds release "payments-db", not the mesh's release "fsm"/);
  });

  it('takes the highest revision when two claim to be deployed, by label or by name suffix', () => {
    const a = encodeHelmReleaseSecret(input({ revision: 9, status: 'deployed' }));
    const b = encodeHelmReleaseSecret(input({ revision: 10, status: 'deployed' }));
    assert.equal(currentHelmRelease([b, a], 'fsm')?.metadata.name, 'sh.helm.release.v1.fsm.v10');
    // Without a version label, the name suffix decides (numerically, not as text).
    for (const s of [a, b]) delete (s.metadata['labels'] as JsonObject)['version'];
    assert.equal(currentHelmRelease([a, b], 'fsm')?.metadata.name, 'sh.helm.release.v1.fsm.v10');
  });

  it('rejects a Secret of another type', () => {
    const secret = encodeHelmReleaseSecret(input());
    secret['type'] = 'Opaque';
    assert.ok(!isHelmReleaseSecret(secret));
    expectDecodeError(secret, /type helm\.sh\/release\.v1/, []);
  });

  it('reports corrupted base64 without quoting it', () => {
    const secret = secretWithHelmString('');
    (secret['data'] as JsonObject)['release'] = 'not*base64!SECRETPAYLOAD';
    expectDecodeError(secret, /data\.release is not valid base64/, ['SECRETPAYLOAD', 'not*base64']);
    // Valid outer base64, invalid Helm string inside.
    expectDecodeError(secretWithHelmString('%%%hunter2%%%'), /not valid base64/, ['hunter2']);
  });

  it('takes base64 with its padding (RFC 4648 §4), whitespace aside, and nothing else', () => {
    const message = (release: string): string => {
      const secret = secretWithHelmString('');
      (secret['data'] as JsonObject)['release'] = release;
      try {
        decodeHelmReleaseSecret(secret);
        return 'decoded';
      } catch (error) {
        return (error as Error).message;
      }
    };
    for (const valid of ['', 'QQ==', 'QUI=', 'QUJD', 'QUJDRA==', 'QUJD\nRA==', ' QU JD ']) assert.doesNotMatch(message(valid), /data\.release is not valid base64/, JSON.stringify(valid));
    for (const invalid of ['QQ=', 'Q===', 'QQ==QQ==', 'QU=I', 'QUJDR', '=QUJ', 'QUJD=', 'QU-_', '====']) assert.match(message(invalid), /data\.release is not valid base64/, JSON.stringify(invalid));
  });

  it('reports corrupted gzip without quoting it', () => {
    const gz = gzipSync(JSON.stringify(helmReleaseJson(input())));
    const broken = Buffer.concat([gz.subarray(0, 10), Buffer.from('TOPSECRETTOKENxxxxxxxxxxxx'), gz.subarray(30)]);
    expectDecodeError(secretWithHelmString(b64(broken)), /not valid gzip/, ['TOPSECRETTOKEN', b64(broken)]);
  });

  it('reports corrupted JSON without quoting it', () => {
    const payload = '{"name":"fsm","config":{"password":"hunter2"';
    expectDecodeError(secretWithHelmString(b64(gzipSync(payload))), /not valid JSON/, ['hunter2', 'password']);
    expectDecodeError(secretWithHelmString(b64(payload)), /not valid JSON/, ['hunter2', 'password']);
  });

  it('reports missing fields', () => {
    const json = helmReleaseJson(input());
    delete ((json['chart'] as JsonObject)['metadata'] as JsonObject)['version'];
    expectDecodeError(secretWithHelmString(b64(gzipSync(JSON.stringify(json)))), /chart\.metadata\.version/, []);
    const noInfo = helmReleaseJson(input());
    delete noInfo['info'];
    expectDecodeError(secretWithHelmString(b64(gzipSync(JSON.stringify(noInfo)))), /info\.status/, []);
    const secret = secretWithHelmString('');
    delete secret['data'];
    expectDecodeError(secret, /neither data\.release nor stringData\.release/, []);
  });

  it('reports a corrupted chart schema', () => {
    const json = helmReleaseJson(input());
    (json['chart'] as JsonObject)['schema'] = b64('{"apiKey": "hunter2"');
    expectDecodeError(secretWithHelmString(b64(gzipSync(JSON.stringify(json)))), /chart\.schema/, ['hunter2']);
  });
});
