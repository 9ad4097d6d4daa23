import { isIP } from 'node:net';

/**
 * How FSM's sidecar init container uses the MeshConfig's traffic lists (flomesh-io/fsm
 * pkg/injector/iptables.go, GenerateIptablesCommands; pkg/injector/patch.go, ConfigurePodInit): each entry is
 * pasted into one `iptables-restore --noflush` input, which `/bin/sh -c` feeds through an unquoted heredoc
 * (`<<EOF`). There is no ip6tables step: interception is IPv4 only. An entry iptables-restore cannot read makes
 * the init container fail, and every pod injected after it stays in Init.
 */

/** A problem with one entry: an error FSM's init container fails on, or a warning about what it will do instead. */
export interface EntryProblem {
  severity: 'error' | 'warning';
  message: string;
}

const error = (message: string): EntryProblem => ({ severity: 'error', message });
const warning = (message: string): EntryProblem => ({ severity: 'warning', message });

/**
 * The most ports one list may hold: FSM writes the whole list as one `--match multiport --dports a,b,...` rule,
 * and the multiport match takes at most 15 ports (XT_MULTI_PORTS, Linux include/uapi/linux/netfilter/xt_multiport.h;
 * iptables answers "too many ports specified").
 */
export const MULTIPORT_MAX = 15;

/** IFNAMSIZ - 1 (Linux include/uapi/linux/if.h; iptables: "interface name must be shorter than IFNAMSIZ (15)"). */
export const INTERFACE_NAME_MAX = 15;

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/**
 * An entry of outboundIPRangeExclusionList / outboundIPRangeInclusionList, as `iptables -d <entry>` reads it:
 * an IPv4 address (`10.0.0.1`, read as /32) or IPv4 CIDR (`10.0.0.0/8`). Errors: IPv6 (iptables is IPv4 only:
 * the init container fails; IPv6 traffic is not intercepted anyway), anything that is not an IPv4 address, a
 * prefix length outside 0-32. Warning: host bits set (`10.1.2.3/8`), which iptables clears (10.0.0.0/8).
 */
export function ipRangeProblem(value: unknown): EntryProblem | undefined {
  if (typeof value !== 'string') return error(`${JSON.stringify(value)} is not an IPv4 address or CIDR string`);
  const slash = value.indexOf('/');
  const address = slash === -1 ? value : value.slice(0, slash);
  const prefix = slash === -1 ? undefined : value.slice(slash + 1);
  const family = isIP(address);
  if (family === 6) {
    return error(
      `"${value}" is IPv6: FSM writes these lists into iptables (IPv4) rules only, never ip6tables, so iptables-restore fails in the sidecar init container and new meshed pods never start. IPv6 traffic is not intercepted at all, so it needs no exclusion`,
    );
  }
  if (family !== 4) return error(`"${value}" is not an IPv4 address or CIDR (address/prefix, e.g. 10.0.0.0/8): iptables-restore fails on it in the sidecar init container`);
  if (prefix === undefined) return undefined; // iptables reads a bare address as /32
  if (!/^\d{1,2}$/.test(prefix) || Number(prefix) > 32) return error(`"${value}" is not a CIDR: the prefix length must be 0 to 32 for IPv4`);
  const bits = Number(prefix);
  const size = 2 ** (32 - bits);
  const network = Math.floor(ipv4ToNumber(address) / size) * size;
  if (network !== ipv4ToNumber(address)) {
    return warning(`"${value}" has host bits set: iptables reads it as ${numberToIpv4(network)}/${bits}; write that, or ${address}/32 for the one address`);
  }
  return undefined;
}

/**
 * An entry of outboundPortExclusionList / inboundPortExclusionList: FSM's Go type is []int and iptables reads
 * each as a TCP port; 0 matches nothing (FSM's own pod annotations refuse it too, pkg/injector/exclusions.go).
 */
export function portProblem(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535) return undefined;
  return `${JSON.stringify(value)} is not a port: ports are whole numbers from 1 to 65535`;
}

/**
 * An entry of networkInterfaceExclusionList, as `iptables -i <name>` / `-o <name>` read it: 1 to 15 characters
 * (a trailing `+` is a wildcard: `eth+` is every eth interface), none of which Linux refuses in an interface
 * name (`/`, `:`, whitespace) or the init container's shell would expand inside its heredoc (`$`, `` ` ``, `\`).
 */
export function interfaceNameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return `${JSON.stringify(value)} is not an interface name`;
  if (value.length > INTERFACE_NAME_MAX) return `"${value}" is longer than ${INTERFACE_NAME_MAX} characters, the longest interface name Linux has: iptables-restore fails on it`;
  const bad = /[\s/:$`\\"'\p{Cc}]/u.exec(value)?.[0];
  if (bad !== undefined) {
    const why = /[\s/:]/.test(bad) ? 'Linux interface names never hold it, and iptables-restore fails on it' : 'the init container\'s shell would expand it before iptables sees the name';
    return `"${value}" holds ${JSON.stringify(bad)}: ${why}`;
  }
  return undefined;
}
