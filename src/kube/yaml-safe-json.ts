import { codeUnitEscape } from '../core/bidi-controls.ts';

/** Server-side apply's content type (Kubernetes API "Server-Side Apply"): the body is parsed as YAML. */
export const APPLY_PATCH = 'application/apply-patch+yaml';

/**
 * Characters JSON carries raw but the API server's YAML parser does not take as they are: DEL, the C1 controls,
 * U+FFFE and U+FFFF are refused ("yaml: control characters are not allowed": sigs.k8s.io/yaml, go-yaml's
 * printable set), and NEL, a YAML 1.1 line break, comes back a space: the object stored would differ from the one
 * sent, silently (both seen on kube-apiserver v1.20). LINE and PARAGRAPH SEPARATOR are YAML 1.1 line breaks too,
 * which this server keeps but a YAML 1.1 parser may fold.
 */
const YAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufffe\uffff]/g;

/**
 * JSON text (JSON.stringify's) made safe for a body the API server parses as YAML (`application/apply-patch+yaml`,
 * server-side apply: JSON is YAML, Kubernetes API "Server-Side Apply"): each YAML_UNSAFE character, which can
 * only stand inside a string, becomes its `\uXXXX` escape, which JSON and YAML both read back as that character.
 * The same JSON value; every other character as it was.
 */
export function yamlSafeJson(json: string): string {
  return json.replace(YAML_UNSAFE, codeUnitEscape);
}
