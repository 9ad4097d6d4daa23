import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MASK } from '../../src/redact/mask.ts';
import { redactShapes } from '../../src/redact/secret-shapes.ts';

/** One text per alternative of every shape (secret-shapes.ts), each with the part that must go. */
const SHAPED: [string, string][] = [
  ['https://admin:pw-1@logs.example.com', 'pw-1'],
  ['root:pw-2@tcp(db:3306)/x', 'pw-2'],
  ['Authorization: Bearer abcdef123', 'abcdef123'],
  ['Basic dXNlcjpwYXNz', 'dXNlcjpwYXNz'],
  ...['password', 'passwd', 'pwd', 'passphrase', 'secret', 'token', 'api_key', 'apikey', 'api-key', 'access_key', 'accesskey', 'ACCESS-KEY', 'DB_Password'].map((name): [string, string] => [`${name}=v4lue-${name}`, `v4lue-${name}`]),
  ...['password', 'Token', 'client_secret'].map((name): [string, string] => [`{"${name}": "q-${name}"}`, `q-${name}`]),
  ...['var password = "js-1"', "const apiKey = 'js-2'", 'let token="js-3"', 'x = `tpl`; secret = `js-4`'].map((text): [string, string] => [text, `js-${text.match(/js-(\d)/)?.[1] ?? ''}`]),
  ['"var password = \\"js-5\\";"', 'js-5'],
  ['Authorization: Token abcdef123', 'abcdef123'],
  ...[
    'password := "s-1"', '{ "password" => "s-2" }', 'if (password === "s-3")', "if (apiKey == 's-4')", 'const apiKeys = "s-5"', "var passwords = 's-6'",
    'const tokens = ["s-7"]', 'var secret_key = "s-8"', 'var privateKey = "s-9"', "var signingKey = 's-10'", 'var auth = "s-11"', 'var credentials = "s-12"',
    'var jwt = "s-13"', "{ user: 'u', pass: 's-14' }", "headers['x-api-key'] = 's-15'", 'const sessionToken = `\ns-16`', 'const token2 = `s-17`', 'password2=s-18',
    'setPassword("s-19")', "client.withApiKey('s-20')", 'var password = "x" + "s-21"', "token = 'x' +\t's-22' + 'y'", '"var password = \\"x\\" + \\"s-23\\""',
  ].map((text): [string, string] => [text, `s-${/s-(\d+)/.exec(text)![1]}`]),
  ...[
    "'Authorization': 'c-1',", "'X-Auth-Key': 'c-2',", "dbPass = 'c-3',", "sessionKey = 'c-4'", 'msg.head.headers.Authorization = "Bearer " + "c-5"', 'passwords = ["a", "c-6"]',
    "pipy({ apiKeys: ['k1','c-7'] })", '"password": ["a","c-8"]', 'password = prefix + "c-9"', 'const pw = os.env.DB_PASSWORD || \'c-10\'', 'apiToken = os.env.UPSTREAM_TOKEN ?? "c-11"',
    'basicAuth("admin", "c-12")', "setCredentials('u','c-13')", "headers.set('X-Api-Key', 'c-14')", 'password = "\\u0063-15"', 'setApiKey?.("c-16")', '{"password": "c-17 (cut short',
    'ACCESSTOKEN = "c-18"', 'exec plugin said: token: c-21abcdef', 'Authorization: Digest username = "a", response = "c-19"', 'digest username="a", response="c-20"',
  ].map((text): [string, string] => [text, /c-\d+/.exec(text)?.[0] ?? 'u0063-15']),
  ['https://user:pw@rt-1@host/x', 'rt-1'],
  ['Driver={ODBC};Pwd={rt-2;x};Server=y', 'rt-2'],
  ['https://acct.blob.core.windows.net/c?sv=1&sig=rt3sig%3D&se=2', 'rt3sig'],
  ['slack xoxb-1234567890-rt4abcdef', 'rt4abcdef'],
  ['stripe sk_live_rt5abcdef1234567890', 'rt5abcdef'],
  [`google AIza${'rt6'.repeat(11)}xx`, 'rt6rt6'],
  [`gitlab glpat-${'rt7'.repeat(7)}`, 'rt7rt7'],
  [`npm npm_${'rt8'.repeat(12)}`, 'rt8rt8'],
  // Values a one-line reading missed: across lines, a `;` or a quote inside, after an empty string, in a nested call.
  ...[
    'const dbPassword =\n  "m-1"', 'setToken(\n  "m-2"\n)', 'apiKeys = [\n  "a",\n  "m-3"\n]', '"apiKeys": [\n  "m-4"\n]', 'password = "abc;m-5";',
    "password = debug ? '' : 'm-6';", "apiKeys = ['', 'a', 'm-7']", "withCredentials('', 'm-8')", 'password = "it\'s m-9"', 'password = "abc\\"m-10"',
    'setPassword(foo("a"), "m-11")', "apiKeys = {\n  k: 'm-12'\n}", 'x-db-password = m-13s3cret;',
  ].map((text): [string, string] => [text, /m-\d+/.exec(text)![0]]),
  // Forms a third reading found: a spaced setter, a string before a comparison, a command line's option, cookies, curl's user.
  ...[
    'setApiKey ("f-1")', '"f-2" === password', "if ('f-3' !== env.API_TOKEN)", '{"msg": "\\"f-4\\" === token"}', 'run --password f-5 --user bob', "--api-token 'f-6 x'",
    'Cookie: sid=f-7; theme=dark', '"GET / HTTP/1.1\\r\\nCookie: a=1; sid=f-8\\r\\n"', 'Set-Cookie: sid=f-9; Path=/; HttpOnly', 'curl -s -u admin:f-10 https://x',
    "curl --user 'admin:f-11' host/path",
  ].map((text): [string, string] => [text, /f-\d+/.exec(text)![0]]),
  // A name a credential's value reads: the string it is given, before or after, in the same text.
  ...[
    "var k = 'a-1';\nmsg.head.headers.Authorization = 'Bearer ' + k;", 'headers: { authorization: `Bearer ${up}` },\nconst up = "a-2";',
    "token = cond ? k : j; j = 'a-3'", "((\n  upstream = 'a-4',\n) => pipy().pipeline().handleMessageStart(msg => msg.head.headers['authorization'] = 'Bearer ' + upstream))()",
    '"password": pw, "user": "u"\npw = "a-5"', "var k = 'a-6'; headers.set('Authorization', 'Bearer ' + k)", "var k = 'a-7'; setToken(k)", "k = ''; k += 'a-8'; token = k",
    "token = 'Bearer ' + (k); k = 'a-9'", "token = ['Bearer', k].join(' '); k = 'a-10'", "auth: `Bearer ${k || ''}`, k = 'a-11'", "password += 'a-12'",
    "pipy({ _k: 'a-13' }).pipeline().handleMessageStart(msg => msg.head.headers['authorization'] = 'Bearer ' + _k)", "k ||= 'a-14'; token = k", "k ??= 'a-15'; token = k",
  ].map((text): [string, string] => [text, /a-\d+/.exec(text)![0]]),
  ["headers.authorization = 'token abc123def456ghi'", 'abc123def456ghi'],
  ['bearer 0123456789abcdef', '0123456789abcdef'],
  ['Authorization: Digest username="u", realm="r", nonce="n", uri="/", response="6629fae49393a05397450978507c4ef1"', '6629fae49393a05397450978507c4ef1'],
  ['{"header": "Digest username=\\"u\\", response=\\"d1g3st\\""}', 'd1g3st'],
  ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJlMQ', 'eyJzdWIiOiJhYmMifQ'],
  ['-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----', 'MIIEpAIBAAKCAQEA'],
  [Buffer.from('-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n').toString('base64'), 'LS0tLS1CRUdJTi'],
  ...['AKIA', 'ASIA', 'ABIA', 'ACCA', 'AGPA', 'AIDA', 'AIPA', 'ANPA', 'ANVA', 'AROA', 'APKA', 'ASCA'].map((prefix): [string, string] => [`id ${prefix}IOSFODNN7EXAMPLE`, `${prefix}IOSFODNN7EXAMPLE`]),
  ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'].map((prefix): [string, string] => [`${prefix}${'A1b2C3d4'.repeat(4)}`, 'A1b2C3d4A1b2C3d4']),
];

test('every shape is masked, each alternative of each (what a string must hold to be looked at more closely covers them all)', () => {
  for (const [text, secret] of SHAPED) {
    const shown = redactShapes(text);
    assert.ok(!shown.includes(secret) && shown.includes(MASK), `${text} -> ${shown}`);
  }
});

test('text with no shape comes back as it was', () => {
  for (const text of ['const author = "Jane"; const compass = "north"; let tokenCount = 5;', 'bench-fg-0001', 'plugin.flomesh.io/v1alpha1', "pipy().pipeline().handleMessageStart(msg => msg.head.headers['x-bench'] = '0')\n", 'Basic authentication', 'the key is in the vault', 'a@b', 'the token expires in 3600 seconds', 'a bearer token', 'Digest authentication', 'x = "a" + "b"', 'getTokenCount(5)', 'if (password === undefined) return', "cookies = msg.head.headers.cookie?.split(';')", "getCookie('sid')", "verifyJwt('HS256', key)", "requireAuth('admin-role')", 'var token = msg.head.headers.authorization', '_auth = false,', "headers.set('X-Request-Id', 'r-1')", 'user = "bob"', 'token: required', 'error: password: must be a string',
    // Code a plugin script is made of, beside a credential's name: shown as it is.
    "originHeaders['access-control-allow-credentials'] = 'true'", "_token = msg.head.headers[tokenHeader] || '',", '_jwt = new JSON.JWT(_token)', 'password = await vault.read()',
    'auth = -1', 'token = !token', "token = header.split(' ')[1]", "if (!token) log('no token: please login')", "typeof token === 'string'", "hash = digest('hex')",
    "secretAccessKey = env['AWS_SECRET_ACCESS_KEY']", 'const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;', 'Token Bucket',
    "'string' === typeof token", "'' === password", '"x" === password.length', "if ('admin' === role && token)", 'pass --token as well', '--token-ttl 5m', '--password-file /etc/pw',
    // Names a credential's value reads only through (a member, a call, an index) are not it.
    "token = msg.head.headers.authorization; msg = 'm'", "token = hash(salt); salt = 's'", "password = env['PW'] || fallback.value; fallback = 'f'",
    // A key of an alias's name is too often another object's: only what is assigned to the name is hidden.
    "[{ name: 'x-env', value: 'staging' }]; if (name === 'authorization') token = value;",
    "{ cookie: cookies.join('; ') }", 'cookie: a ? b : c', 'docker run -u 1000:1000 img', 'credentials (the webhook secret)', "The process's own credentials (the webhook secret, the App's private key): masked"]) {
    assert.equal(redactShapes(text), text);
  }
});
