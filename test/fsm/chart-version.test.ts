import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartBump } from '../../src/fsm/chart-version.ts';

test('chart version bumps by the seed rules: downgrade, breaking (x → x+1 from 1, 0.y → 0.y+1), compatible', () => {
  assert.equal(chartBump('1.5.1', '1.5.1'), 'same');
  assert.equal(chartBump('1.5.1', '1.4.21'), 'downgrade');
  assert.equal(chartBump('1.5.1', '1.5.0'), 'downgrade');
  assert.equal(chartBump('1.5.1', '1.6.0-rc.1'), 'compatible');
  assert.equal(chartBump('1.6.0', '1.6.0-rc.1'), 'downgrade', 'a prerelease is below its release');
  assert.equal(chartBump('1.6.0-rc.2', '1.6.0-rc.10'), 'compatible', 'prerelease numbers compare as numbers');
  assert.equal(chartBump('1.5.1', '1.6.0'), 'compatible');
  assert.equal(chartBump('1.6.0', '2.0.0'), 'breaking');
  assert.equal(chartBump('0.9.3', '0.10.0'), 'breaking', 'in 0.y a new minor may break');
  assert.equal(chartBump('0.9.3', '0.9.4'), 'compatible');
  assert.equal(chartBump('0.9.3', '1.0.0'), 'breaking');
  assert.equal(chartBump('v1.5.1', '1.5.2'), 'compatible');
  assert.equal(chartBump('1.5.1+build.7', '1.5.1'), 'same', 'build metadata has no precedence');
  assert.equal(chartBump('latest', '1.5.2'), 'unknown');
});
