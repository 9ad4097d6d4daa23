import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MASK, MASK_CHANGED, maskPluginConfigPair } from '../../src/plan/mask.ts';

test('masks credential-looking keys anywhere under spec.config, case-insensitively', () => {
  const after = {
    spec: { plugin: 'p', config: { Password: 'hunter2', nested: { apiToken: 't', clientSecret: 's', sshKey: 'k', credentials: { u: 'x' } }, list: [{ token: 'z' }], allowOrigins: ['a'] } },
  };
  const [, masked] = maskPluginConfigPair(undefined, after);
  assert.deepEqual(masked, {
    spec: { plugin: 'p', config: { Password: MASK, nested: { apiToken: MASK, clientSecret: MASK, sshKey: MASK, credentials: MASK }, list: [{ token: MASK }], allowOrigins: ['a'] } },
  });
  assert.equal(after.spec.config.Password, 'hunter2', 'the input is not modified');
});

test('a changed secret shows as changed without showing either value', () => {
  const [before, after] = maskPluginConfigPair({ spec: { config: { token: 'old' } } }, { spec: { config: { token: 'new' } } });
  assert.deepEqual(before, { spec: { config: { token: MASK } } });
  assert.deepEqual(after, { spec: { config: { token: MASK_CHANGED } } });
  const [, same] = maskPluginConfigPair({ spec: { config: { token: 'a' } } }, { spec: { config: { token: 'a' } } });
  assert.deepEqual(same, { spec: { config: { token: MASK } } });
});
