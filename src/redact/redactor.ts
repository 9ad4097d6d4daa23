import { randomBytes } from 'node:crypto';
import { deepEqual, isObject, setOwn, type JsonObject, type JsonValue } from '../core/json.ts';
import { MASK, MASK_CHANGED, QUOTED_LENGTH } from './mask.ts';
import { isScalarSecretKey, normalizeKey, secretKeyTest } from './secret-keys.ts';
import { hasSchemaPaths, isPublicPath, isSecretPath } from './secret-paths.ts';
import { memoized } from './memo.ts';
import { redactShapes } from './secret-shapes.ts';
import { SecretMatcher } from './known-secrets.ts';

type Value = JsonValue | undefined;
/** The path from the walk's root, kept only for kinds whose credentials a schema path names (secret-paths.ts). */
type Path = (string | number)[] | undefined;

/** Keys that name the header or variable whose sibling `value` holds it: `{name: Authorization, value: …}`. */
const PAIR_NAME_KEYS = ['name', 'key', 'header', 'headername'];
const isPairNameKey = memoized((key: string): boolean => PAIR_NAME_KEYS.includes(normalizeKey(key)));
/** The key of a name/value pair's value, lower-cased. */
const VALUE_KEY = 'value';
/** Shorter secrets are not searched for in free text: they would mask ordinary words. */
const MIN_KNOWN_LENGTH = 4;
/**
 * A hidden value that reads as a word or a name (`token`, `Authorization`, `x-api-key`, `svc-orders`: letters and
 * `-_.` only, under 20 characters), as a settings block under a credential key holds them (`auth: {type: token,
 * header: Authorization}`). `text` masks such a value after the shapes, and only as a whole word: masked before
 * them, `token = 'x'` lost the name that says `'x'` is a credential, and `headers` read `••••••s`.
 */
const WORD_LIKE = (text: string): boolean => text.length < 20 && /^[A-Za-z][A-Za-z._-]*$/.test(text);
const isNameChar = (c: string | undefined): boolean => c !== undefined && /[\w$-]/.test(c);
/** A run of `text` that is a whole word: no name character on either side (`-` counts: `--admin-port`, `pipy-admin-port` are names, not the word `admin`). */
const WHOLE_WORD = (text: string, start: number, end: number): boolean => !isNameChar(text[start - 1]) && !isNameChar(text[end]);

/** The known credentials in two matchers: those that read as words (masked after the shapes, whole words only) and the rest. */
interface KnownMatchers {
  credentials: SecretMatcher;
  words: SecretMatcher;
}
/**
 * Stands in for a known credential while `text` searches the shapes: letters and digits, which every shape
 * reads as part of a credential, so `postgres://<known user>:pw@db` is still a URL whose password goes, and
 * `password = "<known>rest"` still an assignment. Random per process: no text holds it already.
 */
const KNOWN_PLACEHOLDER = `Kq${randomBytes(12).toString('hex')}9Z`;
/**
 * Under a credential's key, a mapping key that reads as a name (`user`, `password`, `team-a`, `key2`) is
 * shown; any other (`apiKeys: {<the key>: team-a}`) is a credential itself and hidden.
 */
const NAME_LIKE_KEY = /^[A-Za-z][A-Za-z_.-]{0,39}\d{0,3}$/;
/**
 * Mappings and lists deeper than this are shown as TOO_DEEP, not walked: a live object may nest as deep as
 * the API server takes (a PluginConfig's free-form config), and walking 2,000 levels overflowed the stack.
 * Repository files stop at 64 (yaml-file.ts).
 */
export const MAX_WALK_DEPTH = 128;
export const TOO_DEEP = `(nested deeper than ${MAX_WALK_DEPTH} levels: not shown)`;

/**
 * The one redaction mechanism: every value and message that leaves fsm-gitops (text, Markdown and JSON
 * plans, check runs, issues, PR comments, logs, errors) goes through one of its methods first.
 *
 * A value is a credential when (1) its key name says so (secret-keys.ts, plus the user's `redact.keys`),
 * (2) an FSM schema field holds one (secret-paths.ts), or (3) it is the `value` of a name/value pair whose
 * name is a credential's (`{Name: Authorization, Value: …}`). Such strings and numbers become `••••••`
 * (booleans and null stay: `allowCredentials: true` is a switch), and so does every string and number in
 * a list or mapping under such a key (`credentials: {user: …}`), except settings blocks FSM's schema
 * names (secret-paths.ts: MeshConfig's `inboundExternalAuthorization`). Every other string keeps its text with credentials of a known shape masked
 * (secret-shapes.ts). Each credential redacted is remembered, and `text` masks it wherever it appears
 * afterwards (a message quoting it, an API server's error echoing it).
 */
export class Redactor {
  private readonly isSecretKey: (name: string) => boolean;
  /** isSecretKey when the user named keys of their own: then free text is searched for those names too. */
  private readonly userSecretName: ((name: string) => boolean) | undefined;
  private readonly known = new Set<string>();
  /** How many mappings and lists the walk (or scan) is inside. */
  private depth = 0;

  /** keys: the user's extra key names (`redact.keys` in .github/fsm-gitops.yml), matched whole, ignoring case, `-`, `_` and `.`. */
  constructor(keys: readonly string[] = []) {
    this.isSecretKey = secretKeyTest(keys);
    this.userSecretName = keys.length > 0 ? this.isSecretKey : undefined;
  }

  /** A copy of the value with its credentials masked. kind selects schema knowledge (`MeshConfig`, `HelmValues`, …). */
  value<T extends JsonValue>(kind: string, value: T): T {
    return this.redacted(kind, value, undefined)[0] as T;
  }

  /** A before/after pair masked alike; a masked `after` that differs from `before` reads `•••••• (changed)`. */
  pair<T extends JsonValue>(kind: string, before: T | undefined, after: T | undefined): [T | undefined, T | undefined] {
    return this.redacted(kind, before, after) as [T | undefined, T | undefined];
  }

  /**
   * The pair masked, every string of it knowing every credential in it (also one met later in the walk). One
   * walk, with the known credentials as they were, when it meets none it did not know (a plan learns its
   * inputs first, so the common case); otherwise a second walk that knows them all. (Learning each side
   * before the walk, as this did, cost three walks of every change.)
   */
  private redacted(kind: string, b: Value, a: Value): [Value, Value] {
    const known = this.known.size;
    this.frozen = this.matcher();
    let shown: [Value, Value];
    try {
      shown = this.walk(kind, b, a, rootPath(kind), false);
    } finally {
      this.frozen = undefined;
    }
    return this.known.size === known ? shown : this.walk(kind, b, a, rootPath(kind), false);
  }

  /** The matchers `text` uses during a walk: not rebuilt for each credential the walk meets. */
  private frozen: KnownMatchers | undefined;

  /** Remembers the credentials in a value (for `text`) without keeping a copy. */
  learn(kind: string, value: JsonValue | undefined): void {
    if (value !== undefined) this.scan(kind, value, rootPath(kind), false);
  }

  /** learn's walk: what `walk` would hide, remembered, and nothing copied or shaped (`walk` decides alike, by childSecret). */
  private scan(kind: string, value: JsonValue, path: Path, secret: boolean): void {
    if (isContainer(value) && this.depth >= MAX_WALK_DEPTH) return; // walk shows none of it
    this.depth++;
    try {
      this.scanInside(kind, value, path, secret);
    } finally {
      this.depth--;
    }
  }

  private scanInside(kind: string, value: JsonValue, path: Path, secret: boolean): void {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) this.scan(kind, value[i]!, path && [...path, i], secret);
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) {
        if (secret && !NAME_LIKE_KEY.test(key)) this.hide(key);
        const childPath = path && [...path, key];
        this.scan(kind, value[key]!, childPath, this.childSecret(kind, key, childPath, secret, value, undefined));
      }
    } else if (secret) {
      this.hide(value);
    }
  }

  /** Free text (a message, an error, a log line) with every known credential and every credential shape masked. */
  text(text: string): string {
    const { credentials, words } = this.matcher();
    const marked = credentials.mask(text, KNOWN_PLACEHOLDER);
    const shaped = redactShapes(marked, this.userSecretName);
    return words.mask(marked === text ? shaped : shaped.replaceAll(KNOWN_PLACEHOLDER, MASK), MASK, WHOLE_WORD);
  }

  private matched: { size: number; matchers: KnownMatchers } | undefined;

  /** The known credentials, each also as it reads inside a JSON string and cut as a message quotes it (rebuilt when one was learnt). */
  private matcher(): KnownMatchers {
    if (this.frozen) return this.frozen;
    if (this.matched?.size !== this.known.size) {
      const spellings = (secrets: string[]) => new Set(secrets.flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1), ...quotedCut(secret)]));
      const known = [...this.known];
      this.matched = {
        size: this.known.size,
        matchers: { credentials: new SecretMatcher(spellings(known.filter((k) => !WORD_LIKE(k)))), words: new SecretMatcher(spellings(known.filter(WORD_LIKE))) },
      };
    }
    return this.matched.matchers;
  }

  private walk(kind: string, b: Value, a: Value, path: Path, secret: boolean): [Value, Value] {
    if (this.depth >= MAX_WALK_DEPTH && (isContainer(b) || isContainer(a))) return [isContainer(b) ? TOO_DEEP : b, isContainer(a) ? TOO_DEEP : a];
    this.depth++;
    try {
      return this.walkInside(kind, b, a, path, secret);
    } finally {
      this.depth--;
    }
  }

  private walkInside(kind: string, b: Value, a: Value, path: Path, secret: boolean): [Value, Value] {
    if (isObject(b) && isObject(a)) return this.walkObjects(kind, b, a, path, secret);
    if (Array.isArray(b) && Array.isArray(a)) return this.walkArrays(kind, b, a, path, secret);
    const bothScalar = !isContainer(b) && !isContainer(a);
    if (!bothScalar && b !== undefined && a !== undefined) {
      return [this.walk(kind, b, undefined, path, secret)[0], this.walk(kind, undefined, a, path, secret)[1]];
    }
    if (isObject(b) || isObject(a)) return this.walkObjects(kind, asObject(b), asObject(a), path, secret);
    if (Array.isArray(b) || Array.isArray(a)) return this.walkArrays(kind, asArray(b), asArray(a), path, secret);
    return secret ? this.hideScalars(b, a) : this.shapeScalars(b, a);
  }

  private walkObjects(kind: string, b: JsonObject | undefined, a: JsonObject | undefined, path: Path, inherited: boolean): [Value, Value] {
    const outB: JsonObject | undefined = b && {};
    const outA: JsonObject | undefined = a && {};
    let hiddenKeys = 0;
    const visit = (key: string): void => {
      const childPath = path && [...path, key];
      const [cb, ca] = this.walk(kind, own(b, key), own(a, key), childPath, this.childSecret(kind, key, childPath, inherited, b, a));
      // A key that is itself a credential is shown as one, numbered so the mapping keeps its entries apart.
      const shownKey = !inherited || NAME_LIKE_KEY.test(key) ? key : (this.hide(key), hiddenKeys++ === 0 ? MASK : `${MASK} ${hiddenKeys}`);
      if (outB && cb !== undefined) setOwn(outB, shownKey, cb);
      if (outA && ca !== undefined) setOwn(outA, shownKey, ca);
    };
    // b's keys, then a's that b lacks: the order a Set of both would give.
    if (b) for (const key of Object.keys(b)) visit(key);
    if (a) for (const key of Object.keys(a)) if (!b || !Object.hasOwn(b, key)) visit(key);
    return [outB, outA];
  }

  /**
   * Whether the value under `key` of the mapping `b` (and `a`, its pair's other side) is a credential: under
   * one (`inherited`), or named one by its key, its schema path or a name/value pair; unless its path is a
   * public settings block. The mappings are searched for a pair's name only under a `value` key: most
   * mappings have none.
   */
  private childSecret(kind: string, key: string, childPath: Path, inherited: boolean, b: JsonObject | undefined, a: JsonObject | undefined): boolean {
    const named =
      inherited ||
      this.isSecretKey(key) ||
      (isScalarSecretKey(key) && isScalar(own(b, key)) && isScalar(own(a, key))) ||
      (childPath !== undefined && isSecretPath(kind, childPath)) ||
      (key.length === VALUE_KEY.length && key.toLowerCase() === VALUE_KEY && (this.namesSecret(b) || this.namesSecret(a)));
    return named && !(childPath !== undefined && isPublicPath(kind, childPath));
  }

  private walkArrays(kind: string, b: JsonValue[] | undefined, a: JsonValue[] | undefined, path: Path, secret: boolean): [Value, Value] {
    const length = Math.max(b?.length ?? 0, a?.length ?? 0);
    const outB: JsonValue[] | undefined = b && [];
    const outA: JsonValue[] | undefined = a && [];
    for (let i = 0; i < length; i++) {
      const [cb, ca] = this.walk(kind, b?.[i], a?.[i], path && [...path, i], secret);
      if (outB && cb !== undefined) outB.push(cb);
      if (outA && ca !== undefined) outA.push(ca);
    }
    return [outB, outA];
  }

  /** Whether a mapping is a name/value pair naming a credential (`{name: Authorization, value: …}`). */
  private namesSecret(object: JsonObject | undefined): boolean {
    if (!object) return false;
    for (const key of Object.keys(object)) {
      const value = object[key];
      if (typeof value === 'string' && isPairNameKey(key) && this.isSecretKey(value)) return true;
    }
    return false;
  }

  private hideScalars(b: Value, a: Value): [Value, Value] {
    const changed = b !== undefined && a !== undefined && !deepEqual(b, a);
    const hiddenA = this.hide(a);
    return [this.hide(b), changed && hiddenA === MASK ? MASK_CHANGED : hiddenA];
  }

  private hide(value: Value): Value {
    if (typeof value !== 'string' && typeof value !== 'number') return value; // booleans and null are switches, not secrets
    const text = String(value);
    if (text.length >= MIN_KNOWN_LENGTH && !text.includes(MASK)) this.known.add(text);
    return MASK;
  }

  private shapeScalars(b: Value, a: Value): [Value, Value] {
    const shownB = typeof b === 'string' ? this.text(b) : b;
    // An unchanged string is shaped once.
    const shownA = typeof a === 'string' ? (a === b ? shownB : this.text(a)) : a;
    // Two different values that read the same once masked: say the second changed.
    if (typeof a === 'string' && b !== a && shownB === shownA) return [shownB, `${shownA} (changed)`];
    return [shownB, shownA];
  }
}

/** A credential as a message quotes it when it is longer than QUOTED_LENGTH: its first characters, also JSON-escaped. */
function quotedCut(secret: string): string[] {
  if (secret.length <= QUOTED_LENGTH) return [];
  const chars = [...secret];
  if (chars.length <= QUOTED_LENGTH) return [];
  const cut = chars.slice(0, QUOTED_LENGTH).join('');
  return [cut, JSON.stringify(cut).slice(1, -1)];
}

function rootPath(kind: string): Path {
  return hasSchemaPaths(kind) ? [] : undefined;
}

function isContainer(value: Value): boolean {
  return typeof value === 'object' && value !== null;
}

function asObject(value: Value): JsonObject | undefined {
  return isObject(value) ? value : undefined;
}

function asArray(value: Value): JsonValue[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** A single value, or nothing: not a mapping or a list. */
function isScalar(value: Value): boolean {
  return typeof value !== 'object' || value === null;
}

function own(object: JsonObject | undefined, key: string): Value {
  return object && Object.hasOwn(object, key) ? object[key] : undefined;
}
