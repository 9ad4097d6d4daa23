/**
 * Kubernetes's rules for names, as k8s.io/apimachinery/pkg/util/validation (validation.go) and
 * pkg/api/validate/content (kube.go) write them. Each `...Problem` function returns why a value breaks
 * its rule (one message, the API server's reasons joined), or undefined when the value is valid.
 * Lengths are in bytes, as Go's len() counts them.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A label key's name part, and a non-empty label value: `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`. */
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const DNS_LABEL_MAX = 63;
const DNS_SUBDOMAIN_MAX = 253;
const QUALIFIED_NAME_MAX = 63;
const LABEL_VALUE_MAX = 63;

const byteLength = (value: string): number => Buffer.byteLength(value, 'utf8');

/** RFC 1123 label (IsDNS1123Label): namespaces, mesh names. */
export function isDnsLabel(value: string): boolean {
  return dnsLabelProblem(value) === undefined;
}

/** RFC 1123 subdomain (IsDNS1123Subdomain): the names of most Kubernetes objects, FSM's included. */
export function isDnsSubdomain(value: string): boolean {
  return dnsSubdomainProblem(value) === undefined;
}

/** IsDNS1123Label: at most 63 bytes of lowercase letters, digits and '-', starting and ending with a letter or digit. */
export function dnsLabelProblem(value: string): string | undefined {
  const reasons: string[] = [];
  if (byteLength(value) > DNS_LABEL_MAX) reasons.push(`must be no more than ${DNS_LABEL_MAX} characters`);
  if (!DNS_LABEL.test(value)) {
    reasons.push(DNS_SUBDOMAIN.test(value) ? 'must not contain dots' : "must be a lowercase RFC 1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit (such as my-name or 123-abc)");
  }
  return joined(reasons);
}

/** IsDNS1123Subdomain: at most 253 bytes of dot-separated RFC 1123 labels. */
export function dnsSubdomainProblem(value: string): string | undefined {
  const reasons: string[] = [];
  if (byteLength(value) > DNS_SUBDOMAIN_MAX) reasons.push(`must be no more than ${DNS_SUBDOMAIN_MAX} characters`);
  if (!DNS_SUBDOMAIN.test(value)) reasons.push("must be a lowercase RFC 1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (such as example.com)");
  return joined(reasons);
}

/**
 * IsQualifiedName (content.IsLabelKey): label keys, annotation keys (lowercased first) and finalizers. An
 * optional prefix that is a DNS subdomain and a '/', then a name of 1-63 bytes of letters, digits, '-', '_'
 * and '.', starting and ending with a letter or digit. More than one '/' is invalid.
 */
export function qualifiedNameProblem(value: string): string | undefined {
  const parts = value.split('/');
  if (parts.length > 2) return "must be a name with an optional DNS subdomain prefix and one '/' (such as example.com/my-name); it has more than one '/'";
  const reasons: string[] = [];
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    const problem = prefix === '' ? 'must not be empty' : dnsSubdomainProblem(prefix);
    if (problem) reasons.push(`prefix part ${problem}`);
  }
  if (name === '') reasons.push('name part must not be empty');
  else if (byteLength(name) > QUALIFIED_NAME_MAX) reasons.push(`name part must be no more than ${QUALIFIED_NAME_MAX} characters`);
  if (!QUALIFIED_NAME.test(name)) reasons.push("name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit (such as MyName, my.name or 123-abc)");
  return joined(reasons);
}

/** IsValidLabelValue: empty, or at most 63 bytes of letters, digits, '-', '_' and '.', starting and ending with a letter or digit. */
export function labelValueProblem(value: string): string | undefined {
  const reasons: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX) reasons.push(`must be no more than ${LABEL_VALUE_MAX} characters`);
  if (value !== '' && !QUALIFIED_NAME.test(value)) reasons.push("must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit (such as MyValue, my_value or 12345)");
  return joined(reasons);
}

/**
 * NameIsDNSSubdomain (k8s.io/apimachinery/pkg/api/validation/generic.go), the name rule of every custom
 * resource: with `prefix` (a generateName), a trailing '-' is allowed, since the server appends a suffix.
 */
export function objectNameProblem(value: string, prefix = false): string | undefined {
  return dnsSubdomainProblem(prefix && value.length > 1 && value.endsWith('-') ? `${value.slice(0, -1)}a` : value);
}

function joined(reasons: string[]): string | undefined {
  return reasons.length === 0 ? undefined : reasons.join('; ');
}
