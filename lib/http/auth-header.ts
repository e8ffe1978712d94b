import type { IncomingHttpHeaders } from 'node:http';
import { AuthenticationFailed } from '../errors';

/** ASCII whitespace only, as Python's `bytes.split()` in Simple JWT. */
const WHITESPACE = /[ \t\n\r\v\f]+/;
const ANY_WHITESPACE = /[ \t\n\r\v\f]/;

/** The raw value of the configured auth header (lower-case name), or undefined. */
export function readAuthHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Whether `scheme` is one of `schemes`, ignoring ASCII case (RFC 7235 §2.1); the exact spelling is tried first. */
function hasScheme(schemes: ReadonlySet<string>, scheme: string): boolean {
  if (schemes.has(scheme)) return true;
  const lower = scheme.toLowerCase();
  for (const accepted of schemes) if (accepted.length === scheme.length && accepted.toLowerCase() === lower) return true;
  return false;
}

/**
 * The token in an auth header value, or null when the header is empty or
 * names another scheme (so other strategies may run). A header of an
 * accepted scheme without exactly one token is an error. Schemes compare
 * case-insensitively, as RFC 7235 §2.1 says (`bearer` and `BEARER` are
 * `Bearer`); Simple JWT compares bytes, a documented difference.
 *
 * @example
 * parseAuthHeader('bearer eyJ...', new Set(['Bearer'])); // 'eyJ...'
 */
export function parseAuthHeader(header: string, schemes: ReadonlySet<string>): string | null {
  // The usual header, `<scheme> <token>` with one space and no other whitespace, without splitting (issue #25).
  const space = header.indexOf(' ');
  if (space > 0) {
    const scheme = header.slice(0, space);
    const token = header.slice(space + 1);
    if (token !== '' && !ANY_WHITESPACE.test(scheme) && !ANY_WHITESPACE.test(token)) return hasScheme(schemes, scheme) ? token : null;
  }
  const parts = header.split(WHITESPACE);
  // split() leaves empty ends for leading or trailing whitespace; drop them.
  if (parts.length > 0 && parts[0] === '') parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 0 || !hasScheme(schemes, parts[0])) return null;
  if (parts.length !== 2) {
    throw new AuthenticationFailed('Authorization header must contain two space-delimited values', 'bad_authorization_header');
  }
  return parts[1];
}
