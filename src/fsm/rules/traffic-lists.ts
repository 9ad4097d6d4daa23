import type { Finding } from '../../core/finding.ts';
import { findingAt } from '../../core/findings.ts';
import { getAt } from '../../core/json.ts';
import { interfaceNameProblem, ipRangeProblem, MULTIPORT_MAX, portProblem } from '../net.ts';
import { contentOf, type ManagedResource, type Rule } from './rule.ts';

const IP_RANGE_LISTS = ['outboundIPRangeExclusionList', 'outboundIPRangeInclusionList'] as const;
const PORT_LISTS = ['outboundPortExclusionList', 'inboundPortExclusionList'] as const;
const INTERFACE_LIST = 'networkInterfaceExclusionList';

/**
 * The MeshConfig's traffic lists, checked the way FSM's sidecar init container uses them (src/fsm/net.ts; flomesh-io/fsm
 * pkg/injector/iptables.go): the API server accepts `fd00::/8`, a CIDR /33, port 70000 or 20 ports, and an interface
 * name with a space; iptables-restore does not, and then no newly injected pod starts. Entries that exclude
 * everything (`0.0.0.0/0` excluded, interface `+`) are valid but switch interception off for the whole mesh: a warning.
 */
export const trafficListsRule: Rule = {
  name: 'traffic-lists',
  check(context) {
    return contentOf(context, 'MeshConfig').flatMap((meshConfig) => [...ipRangeFindings(meshConfig), ...portFindings(meshConfig), ...interfaceFindings(meshConfig)]);
  },
};

function listAt(meshConfig: ManagedResource, list: string): unknown[] {
  const items = getAt(meshConfig.object, ['spec', 'traffic', list]);
  return Array.isArray(items) ? items : [];
}

function ipRangeFindings(meshConfig: ManagedResource): Finding[] {
  return IP_RANGE_LISTS.flatMap((list) =>
    listAt(meshConfig, list).flatMap((item, i) => {
      const at = ['spec', 'traffic', list, i];
      const problem = ipRangeProblem(item);
      if (problem) return [findingAt(meshConfig, at, problem.severity, problem.severity === 'error' ? 'cidr-invalid' : 'cidr-host-bits', `spec.traffic.${list}: ${problem.message}`)];
      if (list === 'outboundIPRangeExclusionList' && item === '0.0.0.0/0') {
        return [findingAt(meshConfig, at, 'warning', 'traffic-exclusion-all', `spec.traffic.${list}: "0.0.0.0/0" excludes every address: no sidecar intercepts outbound traffic any more, for every meshed pod started after this change`)];
      }
      return [];
    }),
  );
}

function portFindings(meshConfig: ManagedResource): Finding[] {
  return PORT_LISTS.flatMap((list) => {
    const items = listAt(meshConfig, list);
    const findings = items.flatMap((item, i) => {
      // A value of another type is the schema rule's (schema-type, the CRD's integer items), said once.
      const problem = typeof item === 'number' ? portProblem(item) : undefined;
      return problem ? [findingAt(meshConfig, ['spec', 'traffic', list, i], 'error', 'port-invalid', `spec.traffic.${list}: ${problem}`)] : [];
    });
    const distinct = new Set(items).size;
    if (distinct > MULTIPORT_MAX) {
      findings.push(
        findingAt(meshConfig, ['spec', 'traffic', list], 'error', 'port-list-too-long', `spec.traffic.${list} holds ${distinct} ports: FSM puts the whole list in one iptables multiport rule, which takes at most ${MULTIPORT_MAX}, so the sidecar init container fails and new meshed pods never start (a pod's own exclusion annotation adds to the list)`),
      );
    }
    return findings;
  });
}

function interfaceFindings(meshConfig: ManagedResource): Finding[] {
  return listAt(meshConfig, INTERFACE_LIST).flatMap((item, i) => {
    const at = ['spec', 'traffic', INTERFACE_LIST, i];
    const problem = interfaceNameProblem(item);
    if (problem) return [findingAt(meshConfig, at, 'error', 'interface-name-invalid', `spec.traffic.${INTERFACE_LIST}: ${problem}`)];
    if (item === '+') {
      return [findingAt(meshConfig, at, 'warning', 'traffic-exclusion-all', `spec.traffic.${INTERFACE_LIST}: "+" matches every interface: no sidecar intercepts inbound or outbound traffic any more, for every meshed pod started after this change`)];
    }
    return [];
  });
}
