import { isObject } from '../core/json.ts';
import type { KubeObject } from '../core/kube.ts';

/** What a fresh render's random value is shown as: the same text in every plan. */
export const NEW_UUID = '(a new uuidv4 at each render)';
const PRESET = { name: 'preset-mesh-config', key: 'preset-mesh-config.json' };
const UID = /("uid"\s*:\s*")[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(")/;

/**
 * A rendered object as a plan shows it, without the values FSM's chart draws at random on every render:
 * the `clusterSet.uid` that templates/preset-mesh-config.yaml sets to `{{ uuidv4 }}`, shown as NEW_UUID.
 * Two plans of the same change then show (and digest, deploy/plan-digest.ts) the same thing, so an approved
 * chart upgrade is not refused as "plan changed" when it is planned again before apply. The upgrade itself
 * still writes a fresh uid; the object is unchanged.
 */
export function withoutRenderNoise(object: KubeObject): KubeObject {
  if (object.kind !== 'ConfigMap' || object.metadata.name !== PRESET.name || !isObject(object['data'])) return object;
  const text = object['data'][PRESET.key];
  if (typeof text !== 'string' || !UID.test(text)) return object;
  return { ...object, data: { ...object['data'], [PRESET.key]: text.replace(UID, `$1${NEW_UUID}$2`) } };
}
