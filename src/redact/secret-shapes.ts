import { MASK } from './mask.ts';
import { redactScriptCredentials } from './script-credentials.ts';
import { isSecretKey } from './secret-keys.ts';

/**
 * Credentials recognised by their shape wherever they appear in a string, whatever key holds it:
 * - URL user information (RFC 3986 §3.2.1, `scheme://user:password@host`, also a token alone before `@`):
 *   DSNs like `postgres://user:pw@db`, and kube API server URLs;
 * - Go MySQL DSNs `user:pw@tcp(host)`;
 * - values given a credential's name in code and text: `Password=...;` in connection strings, `password = "x"`,
 *   `setPassword("x")`, `"apiKey": "x"` in scripts and quoted JSON or YAML (script-credentials.ts);
 * - HTTP credentials `Bearer …`/`Basic …`/`Token …` (RFC 6750 §2.1, RFC 7617), also lowercase when the
 *   credential has letters and digits, and a `Digest …` header's parameters (RFC 7616 §3.4);
 * - cookie values in a `Cookie` or `Set-Cookie` header line (RFC 6265 §4), and a command line's
 *   `-u user:password` (curl);
 * - JWTs (RFC 7519: three base64url parts, the first a JSON header `eyJ`);
 * - PEM private keys (RFC 7468), also base64-encoded as in a kubeconfig's `client-key-data`;
 * - AWS access key ids (`AKIA…`/`ASIA…`, 20 characters:
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids);
 * - GitHub tokens (`ghp_`, `ghs_`, `github_pat_`…:
 *   https://docs.github.com/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats),
 *   and Slack, Stripe, Google API, GitLab and npm tokens by their prefixes (SERVICE_TOKEN).
 * Each is replaced by `••••••`, leaving the rest (scheme, host, user of a DSN) readable.
 *
 * Every search is linear in the text (test/core/linear-checks.test.ts): no expression may start at every
 * character of a run and scan the run again. Where a match's start is found by scanning a run backwards
 * (a URL's scheme, a DSN's user) or skipping a run already read (a JWT), that is done by hand below.
 */
/** `://userinfo@`, to the last `@` before the host (a password may hold an unencoded `@`); the scheme before it is read backwards (schemeStart). */
const USERINFO = /:\/\/[A-Za-z0-9\-._~%!$&'()*+,;=:@]+@/g;
/** A run of DSN characters ending in `@tcp(`; the `user:` in it is found by mysqlUserAt. */
const MYSQL_DSN = /(?<![^\s@/"'`])[^\s@/"'`]+@(?=(?:tcp|udp|unix)\()/g;
/** HTTP credentials (`Authorization: Bearer x`; `Token x`, as Django REST framework and others spell it). A word after the scheme, lowercase or capitalized, is prose ("Basic authentication", "Token Bucket"), not a credential. */
const HTTP_CREDENTIALS = /\b(Bearer|Basic|Token)\s+(?!••)(?![A-Z]?[a-z]+\b)[A-Za-z0-9\-._~+/]{6,}=*/g;
/** The same schemes lowercase, where prose uses the words too ("token expiry"): only a credential of 12 or more characters holding letters and digits. */
const HTTP_CREDENTIALS_LOWERCASE = /\b(bearer|basic|token)\s+(?!••)(?=[A-Za-z0-9\-._~+/]*\d)(?=[A-Za-z0-9\-._~+/]*[A-Za-z])[A-Za-z0-9\-._~+/]{12,}=*/g;
/** HTTP Digest credentials (`Digest username="u", realm="r", nonce="n", response="…"`): every parameter goes, as the response proves the password. */
const HTTP_DIGEST = /\b([Dd]igest)\s+(?!••)[A-Za-z][\w-]*\s*=\s*(?:\\?"(?:[^"\\\n]|\\[^"\n])*\\?"|[^\s,"]*)(?:\s*,\s*[A-Za-z][\w-]*\s*=\s*(?:\\?"(?:[^"\\\n]|\\[^"\n])*\\?"|[^\s,"]*))*/g;
/** A `Cookie` or `Set-Cookie` header's line (RFC 6265 §4.1, §4.2): its values go, the cookies' names stay. */
const COOKIE_HEADER = /(?:(?<![\w-])|(?<=\\[nrt]))((?:Set-)?Cookie)([ \t]*:[ \t]*)(?![ \t])([^\r\n"'\x60\\]+)/gi;
/** A cookie pair in such a line (`sid=x`), at the line's start or after `;`. */
const COOKIE_PAIR = /(^|;[ \t]*)([^\s;=]+)=(?!••)([^;]+)/g;
/** curl's HTTP user and password on its command line (`curl -u user:password`, `--user user:password`); another command's `-u` is a user id (`docker run -u 1000:1000`). */
const COMMAND_USER = /(?<![\w-])(curl\b[^\n]{0,300}?[ \t](?:-u|--user))([ \t]+|=)(["']?)([^\s:"']+):(?!••)[^\s"']+/g;
const JWT_START = /\beyJ/g;
const PEM_PRIVATE = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$)/g;
const PEM_PRIVATE_LABEL = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY/;
const PEM_BASE64 = /\bLS0tLS1CRUdJTi[A-Za-z0-9+/]+={0,2}/g;
const AWS_KEY_ID = /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b/g;
const GITHUB_TOKEN = /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b/g;
/**
 * Other services' tokens by their documented prefixes: Slack (`xoxb-`, `xoxp-`…: https://api.slack.com/concepts/token-types),
 * Stripe secret and restricted keys (`sk_live_`, `rk_test_`…: https://docs.stripe.com/keys), Google API keys
 * (`AIza` + 35: https://cloud.google.com/docs/authentication/api-keys), GitLab personal access tokens (`glpat-`),
 * npm tokens (`npm_` + 36).
 */
const SERVICE_TOKEN = /\b(?:xox[abposr]-[A-Za-z0-9-]{10,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35}|glpat-[A-Za-z0-9_-]{20,}|npm_[A-Za-z0-9]{36})/g;

/**
 * What every shape above contains (ignoring case, which only makes it match more): a PEM header, the base64
 * of one, `://`, `@`, Bearer/Basic/Token/Digest, a mask (a concatenation's later parts), a part of every name
 * isSecretKey accepts (pass, pwd, secret, token, key, auth, cred, jwt, cookie, session, sig), `curl`, a JWT's `eyJ`, an AWS key id
 * prefix, a GitHub or other service's token prefix. A string without any (most of a plan: names, kinds, scripts) has no shape to
 * mask, and is returned after this one pass, unless the user named credentials of their own (`redact.keys`).
 */
const ANY_SHAPE = /-----BEGIN|LS0tLS1CRUdJTi|:\/\/|@|bearer|basic|digest|••••••|pass|pwd|secret|token|key|auth|cred|jwt|cookie|session|sig|curl|eyj|a(?:kia|sia|bia|cca|gpa|ida|ipa|npa|nva|roa|pka|sca)|gh[pousr]_|github_pat_|xox|k_live_|k_test_|aiza|glpat-|npm_/i;

/**
 * The string with every credential of a known shape replaced by `••••••`. `userSecretName`: the judge of a
 * name with the user's own `redact.keys` (secret-keys.ts secretKeyTest), when there are any; else isSecretKey.
 */
export function redactShapes(text: string, userSecretName?: (name: string) => boolean): string {
  if (text.length === 0 || (userSecretName === undefined && !ANY_SHAPE.test(text))) return text;
  const shaped = text
    .replace(PEM_PRIVATE, (_, label: string) => `-----BEGIN ${label}----- ${MASK} -----END ${label}-----`)
    .replace(PEM_BASE64, (match) => (PEM_PRIVATE_LABEL.test(Buffer.from(match, 'base64').toString('latin1')) ? MASK : match))
    .replace(USERINFO, (match: string, at: number, whole: string) => (schemeStart(whole, at) === undefined ? match : `://${MASK}@`))
    .replace(MYSQL_DSN, (match: string, at: number, whole: string) => {
      const user = mysqlUserAt(whole, at, at + match.length - 1);
      return user === undefined ? match : `${whole.slice(at, user.colon + 1)}${MASK}@`;
    })
    .replace(HTTP_CREDENTIALS, `$1 ${MASK}`)
    .replace(HTTP_CREDENTIALS_LOWERCASE, `$1 ${MASK}`)
    .replace(HTTP_DIGEST, `$1 ${MASK}`)
    .replace(COOKIE_HEADER, (_, name: string, colon: string, pairs: string) => `${name}${colon}${maskCookies(pairs, /^set-/i.test(name))}`)
    .replace(COMMAND_USER, `$1$2$3$4:${MASK}`);
  return redactJwts(redactScriptCredentials(shaped, userSecretName ?? isSecretKey))
    .replace(AWS_KEY_ID, MASK)
    .replace(GITHUB_TOKEN, MASK)
    .replace(SERVICE_TOKEN, MASK);
}


/** A Cookie header's pairs with their values masked; a Set-Cookie header's first pair only (the rest are its attributes: `Path=/`). */
function maskCookies(pairs: string, setCookie: boolean): string {
  let seen = 0;
  return pairs.replace(COOKIE_PAIR, (match, before: string, name: string) => (setCookie && seen++ > 0 ? match : `${before}${name}=${MASK}`));
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /\w/.test(c);
const isSchemeChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9+.-]/.test(c);

/**
 * Where the URL scheme (RFC 3986 §3.1: a letter, then letters, digits, `+`, `.`, `-`) that ends at `colon`
 * starts, at a word boundary, or undefined: the run of scheme characters before `colon` is read once.
 */
function schemeStart(text: string, colon: number): number | undefined {
  let from = colon;
  while (isSchemeChar(text[from - 1])) from--;
  for (let at = from; at < colon; at++) if (/[A-Za-z]/.test(text[at]!) && !isWordChar(text[at - 1])) return at;
  return undefined;
}

const isUserChar = (c: string): boolean => /[A-Za-z0-9\-._~%]/.test(c);

/**
 * The `user:` of a Go MySQL DSN in `text[from, at)` (`at` holds the `@`): the first run of user characters
 * starting at a word boundary that a `:` and at least one password character follow. Each character is read once.
 */
function mysqlUserAt(text: string, from: number, at: number): { colon: number } | undefined {
  let start: number | undefined;
  for (let i = from; i < at; i++) {
    const c = text[i]!;
    if (!isUserChar(c)) {
      if (c === ':' && start !== undefined && i + 1 < at) return { colon: i };
      start = undefined;
    } else if (start === undefined && isWordChar(c) !== isWordChar(text[i - 1])) start = i;
  }
  return undefined;
}

const isJwtChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_-]/.test(c);

/** End of the run of base64url characters from `at`. */
function jwtRunEnd(text: string, at: number): number {
  let end = at;
  while (isJwtChar(text[end])) end++;
  return end;
}

/**
 * JWTs (`eyJ…` header, payload, signature: three base64url parts, the first two at least five characters)
 * masked. A start inside a run already read ends its header where the first did, so it is skipped: each
 * run is read a bounded number of times.
 */
function redactJwts(text: string): string {
  if (!text.includes('eyJ')) return text;
  const parts: string[] = [];
  let kept = 0;
  let readTo = -1;
  for (const match of text.matchAll(JWT_START)) {
    const start = match.index;
    if (start < kept || start < readTo) continue;
    const header = jwtRunEnd(text, start + 3);
    readTo = header;
    if (header - start - 3 < 5 || text[header] !== '.') continue;
    const payload = jwtRunEnd(text, header + 1);
    if (payload - header - 1 < 5 || text[payload] !== '.') continue;
    parts.push(text.slice(kept, start), MASK);
    kept = jwtRunEnd(text, payload + 1);
  }
  parts.push(text.slice(kept));
  return parts.join('');
}
