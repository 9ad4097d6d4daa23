import { memoized } from './memo.ts';

/**
 * Key names whose values are credentials. A key is judged by its last word (camelCase, snake_case,
 * kebab-case and dotted names are split into words; a trailing `data`, as in a kubeconfig's
 * `client-key-data`, is skipped, and so are a version or number, `List`, `Old` and the like, and a `By...` tail; a
 * plural counts as its singular; an encoding after it, `Base64`, `Hex`, `Pem`, is skipped too): `dbPassword`, `apiKeys`, `password2`,
 * `passwordsByUser`, `sessionId`, `X-Api-Key`, `Proxy-Authorization`, `auth`, `sharedSecretBase64` and `client_secret` are secret; `secretName`, `tokenTTL`, `passwordFile` and a label selector's `key` are not
 * (they name or describe a secret). Users add exact names in `.github/fsm-gitops.yml` (`redact.keys`,
 * docs/configuration.md); those match whole keys, ignoring case, `-`, `_` and `.`.
 */
const SECRET_WORDS = new Set([
  'password', 'passwd', 'pwd', 'passphrase', 'pass',
  'secret', 'secrets', 'token', 'tokens', 'jwt', 'bearer',
  'credential', 'credentials', 'creds',
  'authorization', 'auth', 'authentication',
  'cookie', 'cookies', 'apikey', 'privatekey', 'accesskey', 'secretkey', 'sessionid', 'signature', 'sig',
]);

/**
 * Words that name a credential when they hold one value (`hmac: <the key>`), but a settings block when they
 * hold a mapping or list (`hmac: {algorithm: sha256, header: X-Signature}`): judged by the value (isScalarSecretKey).
 */
const SCALAR_SECRET_WORDS = new Set(['hmac']);

/** `key` is a credential only after one of these words (`apiKey`, `aws_secret_access_key`, `client-key-data`). */
const KEY_QUALIFIERS = new Set(['api', 'access', 'private', 'secret', 'signing', 'client', 'session', 'encryption', 'master', 'shared', 'ssh', 'tls', 'auth', 'primary', 'secondary', 'account', 'license', 'hmac']);

/** The words of a key name: `X-Api-Key` → x, api, key; `clientSecret` → client, secret. */
export function keyWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/(?<=[A-Z])(?=[A-Z][a-z])/g, ' ') // `HTTPHeader` → HTTP Header, with no run of capitals scanned twice
    .replace(/([A-Za-z])(?=\d)/g, '$1 ') // `password2` → password 2
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/** A user's key entry or a key, compared without case, `-`, `_` or `.`. */
export function normalizeKey(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '');
}

/** Whether a value under this key is a credential: by its words, or by a name the user listed (normalized with normalizeKey). */
export function isSecretKey(name: string, extra: ReadonlySet<string> = NO_KEYS): boolean {
  if (extra.size > 0 && extra.has(normalizeKey(name))) return true;
  return secretByWords(name);
}

const NO_KEYS: ReadonlySet<string> = new Set();

/** isSecretKey with the user's extra key names (`redact.keys`, as written), normalized once. */
export function secretKeyTest(extraKeys: readonly string[] = []): (name: string) => boolean {
  const extra = extraKeys.length > 0 ? new Set(extraKeys.map(normalizeKey)) : NO_KEYS;
  return (name) => isSecretKey(name, extra);
}

/** Whether a key names a credential when its value is one scalar (SCALAR_SECRET_WORDS: `hmac`), not when it holds a mapping of settings. */
export const isScalarSecretKey = memoized((name: string): boolean => {
  const last = headWords(keyWords(name)).at(-1);
  return last !== undefined && SCALAR_SECRET_WORDS.has(last);
});

/** A plan asks about the same few key names for every object: each name's words are split once (memo.ts). */
const secretByWords = memoized((name: string): boolean => {
  // A name whose capitals split no words (`PASSWORD`, `pAsSwOrDs`, `APIKEY`) is read whole.
  if (WHOLE_NAME_SECRET.test(normalizeKey(name))) return true;
  const words = headWords(keyWords(name));
  const last = words.at(-1);
  if (last === undefined) return false;
  // A plural holds the same credentials, one each (`passwords`, `apiKeys`, `pwds`, `passes`).
  const forms = [last, ...(last.endsWith('s') ? [last.slice(0, -1)] : []), ...(last.endsWith('es') ? [last.slice(0, -2)] : [])];
  if (forms.some((form) => SECRET_WORDS.has(form))) return true;
  if (forms.includes('id')) return words.at(-2) === 'session'; // `sessionId`
  return forms.includes('key') && KEY_QUALIFIERS.has(words.at(-2) ?? '');
});

/**
 * How a name read whole ends when it is a credential's: `ACCESSTOKEN`, `clientsecret`, `webhooksecret`, `signingkey`
 * (`key` after each of KEY_QUALIFIERS, as in a split name: `PRIMARYKEY` as `primaryKey`).
 * Only words long enough not to end ordinary names (`compass` and `bypass` end in `pass`, `monkey` in `key`).
 */
const WHOLE_NAME_SECRET = new RegExp(`(?:password|passwd|passphrase|token|secret|credentials?|(?:${[...KEY_QUALIFIERS].join('|')})key)s?$`);

/**
 * Words after the one that names what the key holds: `passwordList`, `apiKeysV2`, `password_old`, `client-key-data`,
 * and how it is written down: `sharedSecretBase64` (base 64), `tokenB64`, `signingKeyHex`, `privateKeyPem`, `passwordPlain`.
 */
const TRAILING = new Set([
  'data', 'list', 'map', 'array', 'set', 'value', 'values', 'old', 'new', 'prev', 'previous', 'current', 'next', 'backup', 'v',
  'hex', 'pem', 'der', 'encoded', 'raw', 'plain', 'plaintext',
]);
/** Base 64 (and 32) written after a name, as the words keyWords splits it into: `Base64` → base, 64; `B64` → b, 64. */
const BASE_N = /^(?:base|b)$/;

/** The words up to the one that names what the key holds: without trailing versions, numbers and TRAILING words, or a `by ...` tail (`passwordsByUser`). */
function headWords(words: string[]): string[] {
  const by = words.indexOf('by');
  const head = by > 0 ? words.slice(0, by) : [...words];
  for (;;) {
    const last = head.at(-1)!;
    if (head.length > 2 && (last === '64' || last === '32') && BASE_N.test(head.at(-2)!)) head.splice(-2);
    else if (head.length > 1 && (TRAILING.has(last) || /^v?\d+$/.test(last))) head.pop();
    else return head;
  }
}
