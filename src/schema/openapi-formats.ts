import { isIPv4, isIPv6 } from 'node:net';

/** A format the API server checks, and how a message names it. */
export interface StringFormat {
  test(value: string): boolean;
  expected: string;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** Go's time.ParseDuration units (time/format.go unitMap), longer spellings before their prefixes. */
const DURATION_UNITS = ['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h'] as const;
const HOSTNAME_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 60;
}

/**
 * Go's time.ParseDuration grammar: an optional sign, then one or more decimal numbers (digits before or
 * after an optional point) each followed by a unit; "0" alone needs none. Read in one pass: a regular
 * expression with a repeated `\d+\.?\d*` group backtracked quadratically on a long run of digits.
 */
export function isDuration(value: string): boolean {
  if (value === '0' || value === '+0' || value === '-0') return true;
  let at = value.startsWith('-') || value.startsWith('+') ? 1 : 0;
  if (at === value.length) return false;
  while (at < value.length) {
    let digits = 0;
    for (; isDigit(value, at); at++) digits++;
    if (value[at] === '.') for (at++; isDigit(value, at); at++) digits++;
    const unit = DURATION_UNITS.find((u) => value.startsWith(u, at));
    if (digits === 0 || unit === undefined) return false;
    at += unit.length;
  }
  return true;
}

const isDigit = (text: string, at: number): boolean => at < text.length && text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57;

export function isIPv4Address(value: string): boolean {
  return isIPv4(value);
}

export function isIPv6Address(value: string): boolean {
  // Node accepts a zone ("fe80::1%eth0"); Go's net.ParseIP does not.
  return !value.includes('%') && isIPv6(value);
}

export function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const ip = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  const bits = isIPv4Address(ip) ? 32 : isIPv6Address(ip) ? 128 : 0;
  return bits > 0 && Number(prefix) <= bits;
}

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters. */
export function isHostname(value: string): boolean {
  return value.length > 0 && value.length <= 253 && value.split('.').every((label) => HOSTNAME_LABEL.test(label));
}

export const STRING_FORMATS: Readonly<Record<string, StringFormat>> = {
  'date-time': { test: isDateTime, expected: 'an RFC 3339 date-time such as "2024-05-01T12:00:00Z"' },
  duration: { test: isDuration, expected: 'a duration such as "90s", "500ms" or "1h30m"' },
  ipv4: { test: isIPv4Address, expected: 'an IPv4 address' },
  ipv6: { test: isIPv6Address, expected: 'an IPv6 address' },
  cidr: { test: isCidr, expected: 'a CIDR such as "10.0.0.0/8"' },
  hostname: { test: isHostname, expected: 'an RFC 1123 host name' },
};

/** Integer formats as half-open ranges: 2**63 - 1 is not representable as a double, 2**63 is. */
export const INTEGER_FORMATS: Readonly<Record<string, { min: number; maxExclusive: number; expected: string }>> = {
  int32: { min: -(2 ** 31), maxExclusive: 2 ** 31, expected: 'a 32-bit signed integer (int32)' },
  int64: { min: -(2 ** 63), maxExclusive: 2 ** 63, expected: 'a 64-bit signed integer (int64)' },
};
