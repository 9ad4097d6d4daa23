/** Types of the osls plugin beside this file (osls loads the .mjs; tests import it through these). */
export default class OfflineLayerPackage {
  constructor(serverless: object);
  hooks: Record<string, () => void>;
}
