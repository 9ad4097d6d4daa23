import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/core/json.ts';
import { MASK, MASK_CHANGED } from '../../src/redact/mask.ts';
import { Redactor } from '../../src/redact/redactor.ts';
import { isSecretKey } from '../../src/redact/secret-keys.ts';

test('key names that hold credentials, by their last word; names that only refer to one are kept', () => {
  const secret = ['Authorization', 'auth', 'pwd', 'passphrase', 'cookie', 'Set-Cookie', 'password', 'dbPassword', 'X-Api-Key', 'apiKey', 'client_secret', 'accessToken', 'sshKey', 'aws_secret_access_key', 'client-key-data', 'token', 'credentials', 'Proxy-Authorization', 'primaryKey'];
  const kept = ['secretName', 'tokenTTL', 'passwordFile', 'key', 'keys', 'author', 'monkey', 'name', 'authType', 'allowOrigins', 'hashKey'];
  for (const name of secret) assert.ok(isSecretKey(name), name);
  for (const name of kept) assert.ok(!isSecretKey(name), name);
});

test('a PluginConfig: every key-name case of the issue is masked; booleans, key references and label keys are not', () => {
  const redactor = new Redactor();
  const config: JsonObject = {
    Authorization: 'Basic dXNlcjpwYXNz', auth: 'a1', pwd: 'p1', passphrase: 'q1', cookie: 'c1',
    headers: [{ Name: 'Authorization', Value: 'Bearer abc' }, { name: 'X-Trace', value: 'on' }],
    Matches: [{ Headers: { Exact: { Authorization: 'tok-1' } } }],
    credentials: { user: 'u1', enabled: true }, allowCredentials: true, secretName: 'db-secret',
    selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
  };
  const shown = redactor.value('PluginConfig', { spec: { config } });
  assert.deepEqual(shown, {
    spec: {
      config: {
        Authorization: MASK, auth: MASK, pwd: MASK, passphrase: MASK, cookie: MASK,
        headers: [{ Name: 'Authorization', Value: MASK }, { name: 'X-Trace', value: 'on' }],
        Matches: [{ Headers: { Exact: { Authorization: MASK } } }],
        credentials: { user: MASK, enabled: true }, allowCredentials: true, secretName: 'db-secret',
        selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
      },
    },
  });
  assert.equal(config['auth'], 'a1', 'the input is not modified');
});

test('schema knowledge: chart and MeshConfig credential fields, whatever their type; a settings block named like one is judged key by key', () => {
  const redactor = new Redactor();
  assert.deepEqual(redactor.value('HelmValues', { fsm: { vault: { token: 12345678, secret: { name: 'vault', key: 'token' } } } }), { fsm: { vault: { token: MASK, secret: { name: 'vault', key: 'token' } } } });
  const meshConfig = { spec: { traffic: { inboundExternalAuthorization: { enable: true, address: 'ext-authz.svc', port: 9000 } }, observability: { remoteLogging: { authorization: 'Basic x' } } } };
  assert.deepEqual(redactor.value('MeshConfig', meshConfig), {
    spec: { traffic: { inboundExternalAuthorization: { enable: true, address: 'ext-authz.svc', port: 9000 } }, observability: { remoteLogging: { authorization: MASK } } },
  });
});

test('a changed credential shows as changed without either value; an unchanged one as masked', () => {
  const redactor = new Redactor();
  assert.deepEqual(redactor.pair('X', { token: 'old-1' }, { token: 'new-1' }), [{ token: MASK }, { token: MASK_CHANGED }]);
  assert.deepEqual(redactor.pair('X', { token: 'same' }, { token: 'same' }), [{ token: MASK }, { token: MASK }]);
  const [before, after] = redactor.pair('X', { url: 'postgres://u:one@db/x' }, { url: 'postgres://u:two@db/x' });
  assert.deepEqual([before, after], [{ url: `postgres://${MASK}@db/x` }, { url: `postgres://${MASK}@db/x (changed)` }]);
});

test('the keys a user lists in redact.keys are masked too, ignoring case, - and _', () => {
  const redactor = new Redactor(['session_blob', 'X-Internal-Sig']);
  assert.deepEqual(redactor.value('X', { SessionBlob: 'b1', 'x-internal-sig': 's1', other: 'o' }), { SessionBlob: MASK, 'x-internal-sig': MASK, other: 'o' });
});

test('a credential once seen is masked wherever a message quotes it', () => {
  const redactor = new Redactor();
  redactor.learn('MeshConfig', { spec: { observability: { remoteLogging: { authorization: 'Bearer live-secret' } } } });
  assert.equal(redactor.text('it is "Bearer live-secret" there'), `it is "${MASK}" there`);
});

test('a credential masks the strings walked before it, in one value and across a pair, without being learnt first', () => {
  const secret = 'hunter2-s3cr3t';
  const shown = new Redactor().value('PluginConfig', { a: `curl -u admin:${secret}`, z: { password: secret } });
  assert.equal(JSON.stringify(shown).includes(secret), false, JSON.stringify(shown));
  const [before, after] = new Redactor().pair('PluginConfig', { note: `uses ${secret}` }, { note: `uses ${secret}`, token: secret });
  assert.equal(JSON.stringify([before, after]).includes(secret), false, JSON.stringify([before, after]));
});
