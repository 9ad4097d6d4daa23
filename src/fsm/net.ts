import { isIP } from 'node:net';

/** `10.0.0.0/8`, `fd00::/8`: an address and a prefix length that fits its family. */
export function cidrProblem(value: string): string | undefined {
  const slash = value.indexOf('/');
  if (slash === -1) return `"${value}" is not a CIDR: write it as address/prefix, e.g. ${isIP(value) === 6 ? `${value}/128` : `${value}/32`}`;
  const address = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  const family = isIP(address);
  if (family === 0) return `"${value}" is not a CIDR: "${address}" is not an IPv4 or IPv6 address`;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `"${value}" is not a CIDR: the prefix length must be 0 to ${max} for IPv${family}`;
  return undefined;
}

export function portProblem(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535) return undefined;
  return `${JSON.stringify(value)} is not a port: ports are whole numbers from 1 to 65535`;
}
