import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lockTexts } from '../../src/github/deploy-status.ts';

const claim = (repository: string, pr: number) => ({ claim: { repository, pr, headSha: 'a'.repeat(40), actor: 'alice', since: '2026-12-04T00:00:00Z' }, pin: undefined });

test("a claim is named as GitHub links it: #12 in its own repository, acme/platform#12 in another's; the status block's own pull request holds it", () => {
  assert.deepEqual(lockTexts('staging', claim('acme/mesh', 12), { repository: 'acme/mesh' }), ['🔒 locked by #12, `/fsm unlock staging` to release']);
  assert.deepEqual(lockTexts('staging', claim('acme/platform', 12), { repository: 'acme/mesh' }), ['🔒 locked by acme/platform#12, `/fsm unlock staging` to release']);
  assert.deepEqual(lockTexts('staging', claim('acme/platform', 12), { repository: 'acme/mesh', pr: 12 }), ['🔒 locked by acme/platform#12, `/fsm unlock staging` to release'], "another repository's #12 is not this one's");
  assert.match(lockTexts('staging', claim('acme/mesh', 12), { repository: 'acme/mesh', pr: 12 })[0]!, /^🔒 held by this pull request/);
});
