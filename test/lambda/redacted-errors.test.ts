import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withRedactedErrors } from '../../src/lambda/redacted-errors.ts';
import { MASK } from '../../src/redact/mask.ts';
import { CREDENTIAL_SHAPES } from '../support/credential-shapes.ts';

test('an error a Lambda handler throws reaches the runtime (which logs it as it is) with every credential shape masked', async () => {
  for (const { shape, value, secret } of CREDENTIAL_SHAPES) {
    const handler = withRedactedErrors(async (cluster: string) => {
      throw Object.assign(new TypeError(`cannot read cluster ${cluster}: ${value}`), { response: { body: value } });
    });
    const error = (await handler('staging').then(() => assert.fail('resolved'), (e: unknown) => e)) as Error;
    assert.equal(error.name, 'TypeError', shape);
    assert.ok(error.message.startsWith('cannot read cluster staging: '), shape);
    for (const text of [error.message, String(error.stack), JSON.stringify(error)]) assert.ok(!text.includes(secret), `${shape}: ${text}`);
    assert.ok(error.message.includes(MASK), shape);
  }
});
