import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeTextFile } from '../../src/desired/text-file.ts';

test('decodes UTF-8 and drops a byte order mark', () => {
  const result = decodeTextFile(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x3a, 0x20, 0xc3, 0xa9]));
  assert.deepEqual(result, { ok: true, text: 'a: é' });
});

test('refuses binary content, naming the offset of the NUL byte', () => {
  const result = decodeTextFile(new Uint8Array([0x61, 0x62, 0x00, 0x63]));
  assert.ok(!result.ok);
  assert.equal(result.code, 'file-not-text');
  assert.match(result.message, /offset 2/);
});

test('refuses invalid UTF-8, naming where it breaks', () => {
  const result = decodeTextFile(new Uint8Array([0x61, 0x3a, 0x20, 0xe9, 0x74, 0xe9]));
  assert.ok(!result.ok);
  assert.equal(result.code, 'file-not-text');
  assert.match(result.message, /byte 3/);
});

test('refuses files over the size limit', () => {
  const result = decodeTextFile(new Uint8Array(2048), 1024);
  assert.ok(!result.ok);
  assert.equal(result.code, 'file-too-large');
});
