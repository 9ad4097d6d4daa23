/**
 * A URL as it may be shown: without the user information (RFC 3986 §3.2.1, `https://user:password@host`),
 * which may carry a password or token. A string that is not a URL is returned with credential shapes
 * masked instead.
 */
export function displayUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, '//');
  }
  if (parsed.username === '' && parsed.password === '') return url;
  parsed.username = '';
  parsed.password = '';
  const shown = parsed.toString();
  return url.endsWith('/') ? shown : shown.replace(/\/$/, '');
}
