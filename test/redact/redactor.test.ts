import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isObject, type JsonObject, type JsonValue } from '../../src/core/json.ts';
import { MASK, MASK_CHANGED } from '../../src/redact/mask.ts';
import { MAX_WALK_DEPTH, Redactor, TOO_DEEP } from '../../src/redact/redactor.ts';
import { isSecretKey } from '../../src/redact/secret-keys.ts';

test('key names that hold credentials, by their last word; names that only refer to one are kept', () => {
  const secret = ['Authorization', 'auth', 'pwd', 'passphrase', 'cookie', 'Set-Cookie', 'password', 'dbPassword', 'X-Api-Key', 'apiKey', 'client_secret', 'accessToken', 'sshKey', 'aws_secret_access_key', 'client-key-data', 'token', 'credentials', 'Proxy-Authorization', 'primaryKey', 'passwords', 'apiKeys', 'api_keys', 'accessKeys', 'secretKeys', 'privateKeys', 'sshKeys', 'tlsKeys', 'pwds', 'passphrases', 'jwts', 'signatures', 'passes', 'password2', 'apiKey2', 'apiKeysV2', 'apiKeys_old', 'passwordList', 'passwordsByUser', 'apiKeysByTenant', 'sessionId', 'sessionIds', 'tokenList', 'passwordValue', 'PASSWORD', 'pAsSwOrDs', 'APIKEY', 'PRIVATEKEYS', 'ACCESSTOKEN', 'clientsecret', 'webhooksecret', 'signingkey', 'HMACKEY', 'PRIMARYKEY', 'secondarykey', 'dbPass', 'sharedSecretBase64', 'tokenB64', 'signingKeyHex', 'privateKeyPem', 'passwordPlain', 'client_secret_base64'];
  const kept = ['secretName', 'tokenTTL', 'passwordFile', 'key', 'keys', 'author', 'monkey', 'name', 'authType', 'allowOrigins', 'hashKey', 'hashKeys', 'secretNames', 'authors', 'passwordFiles', 'v2', 'list', 'byUser', 'id', 'userId', 'keyList', 'hashKeyV2', 'tokenTTL2', 'secretNameList', 'compass', 'bypass', 'COMPASS', 'passwordlessLogin', 'hmacAlgorithm', 'base64', 'keyBase64', 'secretNameBase64', 'encoded', 'authBase', 'tokenBase', 'secretB'];
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

test('plural credential keys hide everything inside them (a live PluginConfig shown to a fork\'s pull request)', () => {
  const config: JsonObject = { apiKeys: ['k-1', 'k-2'], passwords: { admin: 'p-1' }, sshKeys: ['s-1'], retries: 3 };
  assert.deepEqual(new Redactor().value('PluginConfig', { spec: { config } }), { spec: { config: { apiKeys: [MASK, MASK], passwords: { admin: MASK }, sshKeys: [MASK], retries: 3 } } });
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

test('a known credential inside a credential shape does not hide the shape: the rest of it is masked too', () => {
  const redactor = new Redactor();
  redactor.learn('PluginConfig', { credentials: { username: 'svc-orders', password: 'x' }, token: 'admin' });
  assert.equal(redactor.text('dsn: postgres://svc-orders:HUNTdsnpw@db:5432/orders'), `dsn: postgres://${MASK}@db:5432/orders`);
  assert.equal(redactor.text('var password = "adminHUNT2024"'), `var password = "${MASK}"`);
  assert.equal(redactor.text('Authorization: Bearer adminHUNT2024xyz'), `Authorization: Bearer ${MASK}`);
  assert.equal(redactor.text('user svc-orders logged in'), `user ${MASK} logged in`);
  // A hidden value that reads as a word is masked after the shapes, as a whole word: the names that point at credentials still do.
  const named = new Redactor();
  named.learn('PluginConfig', { auth: { type: 'token', header: 'Authorization' } });
  assert.equal(named.text("token = 'X-1'; h.set('Authorization', 'X-2')"), `${MASK} = '${MASK}'; h.set('${MASK}', '${MASK}')`);
  assert.equal(named.text('msg.head.headers, myToken'), 'msg.head.headers, myToken');
});

test('under a credential key, mapping keys that are credentials themselves are hidden and numbered; keys that read as names are shown', () => {
  const redactor = new Redactor();
  const config: JsonObject = { apiKeys: { HUNTkey0001abcd: 'team-a', sk_live_9f8e7d6c: 'team-b' }, credentials: { user: 'u', password: 'p' } };
  assert.deepEqual(redactor.value('PluginConfig', config), { apiKeys: { [MASK]: MASK, [`${MASK} 2`]: MASK }, credentials: { user: MASK, password: MASK } });
  assert.equal(redactor.text('spec.config.apiKeys.HUNTkey0001abcd: unset'), `spec.config.apiKeys.${MASK}: unset`);
  const [before, after] = redactor.pair('PluginConfig', { apiKeys: { HUNTkey0002efgh: 'a' } }, { apiKeys: { HUNTkey0002efgh: 'a', HUNTkey0003ijkl: 'b' } });
  assert.deepEqual([before, after], [{ apiKeys: { [MASK]: MASK } }, { apiKeys: { [MASK]: MASK, [`${MASK} 2`]: MASK } }]);
  const learnt = new Redactor();
  learnt.learn('PluginConfig', config);
  assert.equal(learnt.text('unknown consumer sk_live_9f8e7d6c'), `unknown consumer ${MASK}`);
});

test('a long credential is hidden where a message quotes it cut short', () => {
  const redactor = new Redactor();
  const token = `HUNT${'a'.repeat(60)}`;
  redactor.learn('Plugin', { metadata: { annotations: { 'example.com/api-token': token } } });
  assert.equal(redactor.text(`label value ${JSON.stringify(token.slice(0, 40))}…: must be no more than 63 characters`), `label value "${MASK}"…: must be no more than 63 characters`);
});

test('the names a user lists in redact.keys are credentials in scripts and quoted text too', () => {
  assert.equal(new Redactor(['sessionBlob']).text('var sessionBlob = "HUNT"'), `var sessionBlob = "${MASK}"`);
  assert.equal(new Redactor().text('var sessionBlob = "HUNT"'), 'var sessionBlob = "HUNT"');
});

test('a credential masks the strings walked before it, in one value and across a pair, without being learnt first', () => {
  const secret = 'hunter2-s3cr3t';
  const shown = new Redactor().value('PluginConfig', { a: `curl -u admin:${secret}`, z: { password: secret } });
  assert.equal(JSON.stringify(shown).includes(secret), false, JSON.stringify(shown));
  const [before, after] = new Redactor().pair('PluginConfig', { note: `uses ${secret}` }, { note: `uses ${secret}`, token: secret });
  assert.equal(JSON.stringify([before, after]).includes(secret), false, JSON.stringify([before, after]));
});

/** Inputs whose credentials learn() must remember: the kinds a plan learns from (plan-redaction.ts), each way one is named. */
const LEARNT: { kind: string; value: JsonObject; secrets: string[]; kept: string[] }[] = [
  { kind: 'Secret', value: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { anything: 'ZGItcGFzcw==' }, stringData: { url: 'plain-secret-text' } }, secrets: ['ZGItcGFzcw==', 'plain-secret-text'], kept: ['db'] },
  {
    kind: 'Config',
    value: { users: [{ name: 'admin', user: { 'client-key-data': 'LS0tY2xpZW50a2V5', token: 'kubeconfig-token-1', username: 'admin' } }], clusters: [{ name: 'c', cluster: { server: 'https://k8s.example.com' } }] },
    secrets: ['LS0tY2xpZW50a2V5', 'kubeconfig-token-1'],
    kept: ['admin', 'https://k8s.example.com'],
  },
  {
    kind: 'HelmValues',
    value: { fsm: { vault: { token: 12345678, secret: { name: 'vault-name', key: 'vault-key' } }, remoteLogging: { authorization: 'Basic Y2hhcnQ=' }, fluentBit: { primaryKey: 'la-primary-key' }, flb: { password: 'flb-pass-1' } } },
    secrets: ['12345678', 'Basic Y2hhcnQ=', 'la-primary-key', 'flb-pass-1'],
    kept: ['vault-name', 'vault-key'],
  },
  {
    kind: 'MeshConfig',
    value: { spec: { observability: { remoteLogging: { authorization: 'mesh-auth-1' } }, traffic: { inboundExternalAuthorization: { address: 'ext-authz.svc', statPrefix: 'inbound-ext' } } } },
    secrets: ['mesh-auth-1'],
    kept: ['ext-authz.svc', 'inbound-ext'],
  },
  {
    kind: 'PluginConfig',
    value: JSON.parse('{"spec": {"config": {"headers": [{"Name": "Authorization", "Value": "pair-value-1"}, {"name": "X-Trace", "value": "trace-on"}], "credentials": {"user": "nested-user", "on": true}, "__proto__": {"password": "proto-pass-1"}, "sessionBlob": "extra-key-1", "note": "plain-note"}}}') as JsonObject,
    secrets: ['pair-value-1', 'nested-user', 'proto-pass-1', 'extra-key-1'],
    kept: ['trace-on', 'plain-note'],
  },
];

test('learn remembers every credential value() would mask (Secrets, kubeconfigs, chart values, MeshConfig, pairs, redact.keys), and nothing else', () => {
  for (const { kind, value, secrets, kept } of LEARNT) {
    const learnt = new Redactor(['session_blob']);
    learnt.learn(kind, value);
    const shown = JSON.stringify(new Redactor(['session_blob']).value(kind, value));
    for (const secret of secrets) {
      assert.equal(learnt.text(`quoted ${secret} here`), `quoted ${MASK} here`, `${kind}: ${secret} learnt`);
      assert.ok(!shown.includes(secret), `${kind}: ${secret} masked by value()`);
    }
    for (const text of kept) {
      assert.equal(learnt.text(`quoted ${text} here`), `quoted ${text} here`, `${kind}: ${text} not learnt`);
      assert.ok(shown.includes(text), `${kind}: ${text} shown by value()`);
    }
  }
});

test("a name/value pair's value is a credential whichever key comes first and however `value` is spelt, on either side of a pair", () => {
  const headers = JSON.parse('[{"VALUE": "upper-1", "Header": "X-Api-Key"}, {"value": "lower-2", "key": "Cookie"}, {"Value": "kept-3", "name": "X-Trace"}]') as JsonObject[];
  const shown = JSON.stringify(new Redactor().value('PluginConfig', { spec: { headers } }));
  assert.ok(!shown.includes('upper-1') && !shown.includes('lower-2'), shown);
  assert.ok(shown.includes('kept-3'), shown);
  const learnt = new Redactor();
  learnt.learn('PluginConfig', { headers });
  assert.equal(learnt.text('upper-1 lower-2 kept-3'), `${MASK} ${MASK} kept-3`);
  // The name on one side makes the value a credential on both (a header renamed to Authorization).
  const [before, after] = new Redactor().pair('X', { value: 'was-4', name: 'X-Trace' }, { value: 'now-5', name: 'Authorization' });
  assert.deepEqual([before, after], [{ value: MASK, name: 'X-Trace' }, { value: MASK_CHANGED, name: 'Authorization' }]);
});

test("a pair walk copies both sides whole, in one key order: before's keys, then those only after has", () => {
  const [before, after] = new Redactor().pair('X', { b: 1, a: { x: 1 }, gone: 's' }, { a: { y: 2, x: 1 }, b: 1, added: 't' });
  assert.equal(JSON.stringify([before, after]), '[{"b":1,"a":{"x":1},"gone":"s"},{"b":1,"a":{"x":1,"y":2},"added":"t"}]');
});

test('key names are judged alike however often they are asked, and names past the memo are still judged', () => {
  for (let i = 0; i < 3; i++) assert.ok(isSecretKey('dbPassword') && !isSecretKey('secretName'));
  for (let i = 0; i < 12_000; i++) assert.equal(isSecretKey(`field${i}Token`), true);
  assert.equal(isSecretKey('x'.repeat(300) + 'Password'), true);
  assert.equal(isSecretKey('x'.repeat(300) + 'Name'), false);
});

test('a live value nested thousands of levels deep is shown to a depth, not walked until the stack overflows', () => {
  let deep: JsonValue = { password: 'deep-secret-value' };
  for (let i = 0; i < 5_000; i++) deep = { a: deep };
  const redactor = new Redactor();
  redactor.learn('PluginConfig', deep);
  let shown = redactor.value('PluginConfig', deep) as JsonValue;
  let levels = 0;
  while (isObject(shown) && 'a' in shown) {
    shown = shown['a']!;
    levels++;
  }
  assert.equal(levels, MAX_WALK_DEPTH);
  assert.equal(shown, TOO_DEEP);
  assert.doesNotMatch(JSON.stringify(redactor.pair('PluginConfig', deep, { a: deep })), /deep-secret-value/);
});

test('hmac holding one value is a credential; holding a mapping of settings, its settings are shown', () => {
  const redactor = new Redactor();
  const shown = redactor.value('PluginConfig', { spec: { config: { hmac: 'HMAC-s3cr3t-BBB', webhookHmac: 'k-2', signing: { hmac: { algorithm: 'sha256', header: 'X-Signature', enabled: true } } } } });
  assert.deepEqual(shown, { spec: { config: { hmac: MASK, webhookHmac: MASK, signing: { hmac: { algorithm: 'sha256', header: 'X-Signature', enabled: true } } } } });
  assert.equal(redactor.text('algorithm sha256, header X-Signature, key HMAC-s3cr3t-BBB'), `algorithm sha256, header X-Signature, key ${MASK}`);
});
