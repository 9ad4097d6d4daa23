import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interfaceNameProblem, ipRangeProblem, portProblem } from '../../src/fsm/net.ts';

test('IPv4 CIDRs and bare IPv4 addresses (iptables reads them as /32) pass', () => {
  for (const range of ['10.0.0.0/8', '0.0.0.0/0', '192.168.1.1/32', '169.254.169.254', '10.96.0.0/12']) assert.equal(ipRangeProblem(range), undefined, range);
});

test('IPv6 is an error naming why: FSM writes iptables rules only, never ip6tables', () => {
  for (const range of ['fd00::/8', '::1/128', '2001:db8::1']) {
    const problem = ipRangeProblem(range);
    assert.equal(problem?.severity, 'error', range);
    assert.match(problem!.message, /is IPv6: FSM writes these lists into iptables \(IPv4\) rules only, never ip6tables/);
  }
});

test('what iptables-restore cannot read is an error', () => {
  assert.match(ipRangeProblem('10.0.0.0/33')!.message, /0 to 32/);
  assert.match(ipRangeProblem('10.0.0.0/')!.message, /0 to 32/);
  assert.match(ipRangeProblem('10.0.0.300/8')!.message, /not an IPv4 address or CIDR/);
  assert.match(ipRangeProblem('example.com')!.message, /not an IPv4 address or CIDR/);
  assert.match(ipRangeProblem('10.0.0.0/8 -j ACCEPT')!.message, /prefix length/);
  assert.match(ipRangeProblem('$(reboot)')!.message, /not an IPv4 address/);
  assert.equal(ipRangeProblem(8)?.severity, 'error');
});

test('host bits set are a warning giving the network iptables uses', () => {
  const problem = ipRangeProblem('10.1.2.3/8');
  assert.equal(problem?.severity, 'warning');
  assert.match(problem!.message, /iptables reads it as 10\.0\.0\.0\/8; write that, or 10\.1\.2\.3\/32/);
  assert.match(ipRangeProblem('192.168.1.129/25')!.message, /192\.168\.1\.128\/25/);
});

test('ports are whole numbers from 1 to 65535', () => {
  for (const port of [1, 80, 65535]) assert.equal(portProblem(port), undefined);
  for (const port of [0, 70000, -1, 8.5, '80', '8000:8080']) assert.ok(portProblem(port), String(port));
});

test('interface names: 1-15 characters, a trailing + is a wildcard; no characters Linux refuses or the shell expands', () => {
  for (const name of ['eth0', 'eth+', 'cali1234567890a', 'vlan.100', 'br-lan_1']) assert.equal(interfaceNameProblem(name), undefined, name);
  assert.match(interfaceNameProblem('a-very-long-name0')!, /longer than 15 characters/);
  assert.match(interfaceNameProblem('eth 0')!, /Linux interface names never hold it/);
  assert.match(interfaceNameProblem('eth0:1')!, /Linux interface names never hold it/);
  assert.match(interfaceNameProblem('$(id)')!, /shell would expand it/);
  assert.match(interfaceNameProblem('`id`')!, /shell would expand it/);
  assert.match(interfaceNameProblem('eth0\nEOF')!, /Linux interface names never hold it/);
  assert.ok(interfaceNameProblem(''));
  assert.ok(interfaceNameProblem(3));
});
