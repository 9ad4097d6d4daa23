import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrProblem, portProblem } from '../../src/fsm/net.ts';

test('valid CIDRs pass', () => {
  for (const cidr of ['10.0.0.0/8', '0.0.0.0/0', '192.168.1.1/32', 'fd00::/8', '::1/128']) assert.equal(cidrProblem(cidr), undefined, cidr);
});

test('bad CIDRs say what is wrong', () => {
  assert.match(cidrProblem('10.0.0.0/33')!, /0 to 32/);
  assert.match(cidrProblem('fd00::/129')!, /0 to 128/);
  assert.match(cidrProblem('10.0.0.300/8')!, /not an IPv4 or IPv6 address/);
  assert.match(cidrProblem('10.0.0.1')!, /10\.0\.0\.1\/32/);
  assert.match(cidrProblem('10.0.0.0/')!, /prefix length/);
});

test('ports are whole numbers from 1 to 65535', () => {
  for (const port of [1, 80, 65535]) assert.equal(portProblem(port), undefined);
  for (const port of [0, 70000, -1, 8.5, '80']) assert.ok(portProblem(port), String(port));
});
