/** A chart version as SemVer's numbers (Helm's Chart.yaml `version` is SemVer 2); undefined when it is not one. */
interface Version {
  major: number;
  minor: number;
  patch: number;
  prerelease: string;
}

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parse(text: string): Version | undefined {
  const m = SEMVER.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ?? '' } : undefined;
}

/** What moving the FSM release from one chart version to another is, by SemVer (https://semver.org, items 4, 8 and 11). */
export type ChartBump = 'same' | 'downgrade' | 'compatible' | 'breaking' | 'unknown';

/**
 * The kind of a chart version change, by the seed's upgrade rules (FSM's upgrade guide): a lower version is a
 * downgrade; a new major from 1 on (x → x+1) and a new minor in 0.y (0.y → 0.y+1, where SemVer promises
 * nothing) may break; anything else moves forward compatibly. Prerelease versions compare below their release.
 * `unknown` when either is not SemVer.
 */
export function chartBump(from: string, to: string): ChartBump {
  const a = parse(from);
  const b = parse(to);
  if (!a || !b) return 'unknown';
  const order = compare(a, b);
  if (order === 0) return 'same';
  if (order > 0) return 'downgrade';
  if (b.major !== a.major) return 'breaking';
  if (a.major === 0 && b.minor !== a.minor) return 'breaking';
  return 'compatible';
}

function compare(a: Version, b: Version): number {
  const numbers = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (numbers !== 0) return Math.sign(numbers);
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === '') return 1;
  if (b.prerelease === '') return -1;
  return a.prerelease.localeCompare(b.prerelease, 'en', { numeric: true });
}
