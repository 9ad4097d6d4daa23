import { MASK } from './mask.ts';

/**
 * Credentials recognised by their shape wherever they appear in a string, whatever key holds it:
 * - URL user information (RFC 3986 §3.2.1, `scheme://user:password@host`, also a token alone before `@`):
 *   DSNs like `postgres://user:pw@db`, and kube API server URLs;
 * - Go MySQL DSNs `user:pw@tcp(host)`;
 * - `password=...`/`pwd: ...` pairs in connection strings, headers and YAML/JSON quoted in messages;
 * - HTTP credentials `Bearer …`/`Basic …` (RFC 6750 §2.1, RFC 7617);
 * - JWTs (RFC 7519: three base64url parts, the first a JSON header `eyJ`);
 * - PEM private keys (RFC 7468), also base64-encoded as in a kubeconfig's `client-key-data`;
 * - AWS access key ids (`AKIA…`/`ASIA…`, 20 characters:
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids);
 * - GitHub tokens (`ghp_`, `ghs_`, `github_pat_`…:
 *   https://docs.github.com/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats).
 * Each is replaced by `••••••`, leaving the rest (scheme, host, user of a DSN) readable.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[A-Za-z0-9\-._~%!$&'()*+,;=:]+@/gi;
const MYSQL_DSN = /\b([A-Za-z0-9\-._~%]+):[^\s@/"'`]+@(?=(?:tcp|udp|unix)\()/g;
const SECRET_NAME = String.raw`\b([\w-]*(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|access[_-]?key))`;
/** `Password=x;` (connection strings), `?access_token=x&` (query strings). */
const KEY_EQUALS = new RegExp(String.raw`${SECRET_NAME}(\s*=\s*)(?!••)[^\s"'\x60;,&]+`, 'gi');
/** `"password": "x"` and `password: 'x'` (JSON or YAML quoted in a message). */
const KEY_QUOTED = new RegExp(String.raw`${SECRET_NAME}(["']?\s*:\s*["'])(?!••)[^"'\n]+`, 'gi');
/** An all-lowercase word after `Basic`/`Bearer` is prose ("Basic authentication"), not a credential. */
const HTTP_CREDENTIALS = /\b(Bearer|Basic)\s+(?!••)(?![a-z]+\b)[A-Za-z0-9\-._~+/]{6,}=*/g;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const PEM_PRIVATE = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$)/g;
const PEM_PRIVATE_LABEL = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY/;
const PEM_BASE64 = /\bLS0tLS1CRUdJTi[A-Za-z0-9+/]+={0,2}/g;
const AWS_KEY_ID = /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b/g;
const GITHUB_TOKEN = /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b/g;

/** The string with every credential of a known shape replaced by `••••••`. */
export function redactShapes(text: string): string {
  if (text.length === 0) return text;
  return text
    .replace(PEM_PRIVATE, (_, label: string) => `-----BEGIN ${label}----- ${MASK} -----END ${label}-----`)
    .replace(PEM_BASE64, (match) => (PEM_PRIVATE_LABEL.test(Buffer.from(match, 'base64').toString('latin1')) ? MASK : match))
    .replace(USERINFO, `$1${MASK}@`)
    .replace(MYSQL_DSN, `$1:${MASK}@`)
    .replace(HTTP_CREDENTIALS, `$1 ${MASK}`)
    .replace(KEY_EQUALS, `$1$2${MASK}`)
    .replace(KEY_QUOTED, `$1$2${MASK}`)
    .replace(JWT, MASK)
    .replace(AWS_KEY_ID, MASK)
    .replace(GITHUB_TOKEN, MASK);
}

