import { isObject, type JsonObject } from '../core/json.ts';
import { COMMIT_ANNOTATION } from '../core/ownership.ts';

/** Whether an object carries `commit` in its fsm-gitops.io/commit annotation: the mark of our write of that commit. */
export function carriesCommit(object: JsonObject | undefined, commit: string): boolean {
  const metadata = object?.['metadata'];
  const annotations = isObject(metadata) && isObject(metadata['annotations']) ? metadata['annotations'] : {};
  return annotations[COMMIT_ANNOTATION] === commit;
}
