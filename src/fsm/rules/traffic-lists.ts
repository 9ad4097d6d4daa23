import type { Finding } from '../../core/finding.ts';
import { findingAt } from '../../core/findings.ts';
import { getAt } from '../../core/json.ts';
import { cidrProblem, portProblem } from '../net.ts';
import { ofKind, type Rule } from './rule.ts';

const CIDR_LISTS = ['outboundIPRangeExclusionList', 'outboundIPRangeInclusionList'];
const PORT_LISTS = ['outboundPortExclusionList', 'inboundPortExclusionList'];

/** The API server accepts a CIDR /33 and a port 70000 in the MeshConfig; the sidecar's iptables setup does not. */
export const trafficListsRule: Rule = {
  name: 'traffic-lists',
  check(context) {
    const findings: Finding[] = [];
    for (const meshConfig of ofKind(context, 'MeshConfig')) {
      for (const list of [...CIDR_LISTS, ...PORT_LISTS]) {
        const items = getAt(meshConfig.object, ['spec', 'traffic', list]);
        if (!Array.isArray(items)) continue;
        const isCidr = CIDR_LISTS.includes(list);
        items.forEach((item, i) => {
          const problem = isCidr ? (typeof item === 'string' ? cidrProblem(item) : `${JSON.stringify(item)} is not a CIDR string`) : portProblem(item);
          if (problem) findings.push(findingAt(meshConfig, ['spec', 'traffic', list, i], 'error', isCidr ? 'cidr-invalid' : 'port-invalid', `spec.traffic.${list}: ${problem}`));
        });
      }
    }
    return findings;
  },
};
