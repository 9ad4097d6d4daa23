import type { Finding } from '../../core/finding.ts';
import { findingAt } from '../../core/findings.ts';
import { getAt, isObject } from '../../core/json.ts';
import { ofKind, type Rule } from './rule.ts';

/** FSM applies a PluginConfig only to destinationRefs of kind Service; any other kind is silently ignored. */
export const destinationRefsRule: Rule = {
  name: 'destination-refs',
  check(context) {
    const findings: Finding[] = [];
    for (const config of ofKind(context, 'PluginConfig')) {
      const refs = getAt(config.object, ['spec', 'destinationRefs']);
      if (!Array.isArray(refs)) continue;
      refs.forEach((ref, i) => {
        if (!isObject(ref) || ref['kind'] === 'Service') return;
        const kind = typeof ref['kind'] === 'string' ? ref['kind'] : '(none)';
        findings.push(findingAt(config, ['spec', 'destinationRefs', i, 'kind'], 'warning', 'destination-ref-ignored', `FSM ignores destinationRefs of kind ${kind}: only kind Service selects traffic, so this reference does nothing`));
      });
    }
    return findings;
  },
};
