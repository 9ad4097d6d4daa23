import { chartInClusterRule } from './chart-in-cluster.ts';
import { chartUpgradeRule } from './chart-upgrade.ts';
import { destinationRefsRule } from './destination-refs.ts';
import { meshIdentityRule } from './mesh-identity.ts';
import { meshConfigPresenceRule } from './meshconfig-presence.ts';
import { metadataRule } from './metadata.ts';
import { ownershipRule } from './ownership.ts';
import { pipyscriptRule } from './pipyscript.ts';
import { pluginChainsRule } from './plugin-chains.ts';
import { pluginPolicyRule } from './plugin-policy.ts';
import { restartImpactRule } from './restart-impact.ts';
import type { Rule } from './rule.ts';
import { schemaRule } from './schema.ts';
import { selectorsRule } from './selectors.ts';
import { terminatingRule } from './terminating.ts';
import { trafficListsRule } from './traffic-lists.ts';
import { valuesMeshConfigRule } from './values-meshconfig.ts';
import { valuesSchemaRule } from './values-schema.ts';
import { valuesUnknownKeyRule } from './values-unknown-key.ts';

/** Every FSM rule the plan runs; the safety checks run before these (fsm/safety.ts). */
export const RULES: readonly Rule[] = [
  ownershipRule,
  terminatingRule,
  metadataRule,
  meshConfigPresenceRule,
  schemaRule,
  valuesSchemaRule,
  valuesUnknownKeyRule,
  meshIdentityRule,
  valuesMeshConfigRule,
  chartUpgradeRule,
  chartInClusterRule,
  pluginPolicyRule,
  pipyscriptRule,
  pluginChainsRule,
  destinationRefsRule,
  selectorsRule,
  trafficListsRule,
  restartImpactRule,
];
