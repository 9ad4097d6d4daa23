import { parse, type SemVer } from 'semver';

/** What moving the FSM release from one chart version to another is, by SemVer (https://semver.org, items 4, 8 and 11). */
export type ChartBump = 'same' | 'downgrade' | 'compatible' | 'breaking' | 'unknown';

/**
 * The kind of a chart version change, by the seed's upgrade rules (FSM's upgrade guide): a lower version is a
 * downgrade; a new major from 1 on (x → x+1) and a new minor in 0.y (0.y → 0.y+1, where SemVer promises
 * nothing) may break; anything else moves forward compatibly. Versions are SemVer 2 (Helm's Chart.yaml
 * `version`), a leading `v` allowed as Helm allows it; precedence is SemVer's (the `semver` package): a
 * prerelease is below its release, numeric prerelease identifiers compare as numbers, build metadata is
 * ignored. `unknown` when either is not SemVer.
 */
export function chartBump(from: string, to: string): ChartBump {
  const a = parse(from);
  const b = parse(to);
  if (!a || !b) return 'unknown';
  const order = a.compare(b);
  if (order === 0) return 'same';
  if (order > 0) return 'downgrade';
  return breaks(a, b) ? 'breaking' : 'compatible';
}

function breaks(from: SemVer, to: SemVer): boolean {
  return to.major !== from.major || (from.major === 0 && to.minor !== from.minor);
}
