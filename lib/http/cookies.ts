import type { IncomingHttpHeaders } from 'node:http';
import { parse } from 'cookie';

/** What {@link readCookie} needs of a request: its headers, and `cookies` when cookie-parser ran. */
export interface CookieSource {
  headers: IncomingHttpHeaders;
  cookies?: unknown;
}

/**
 * The value of the cookie `name`, or null: from `req.cookies` when an app's
 * cookie-parser filled it, else parsed from the `Cookie` header.
 */
export function readCookie(req: CookieSource, name: string): string | null {
  const parsed = req.cookies;
  if (parsed !== null && typeof parsed === 'object') {
    const value = Object.prototype.hasOwnProperty.call(parsed, name) ? (parsed as Record<string, unknown>)[name] : undefined;
    if (typeof value === 'string' && value !== '') return value;
  }
  const header = req.headers.cookie;
  if (typeof header !== 'string' || header === '') return null;
  const value = parse(header)[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Whether `value` is the value of one of the request's cookies (a browser may have sent it by itself). */
export function isCookieValue(req: CookieSource, value: string): boolean {
  const header = req.headers.cookie;
  if (typeof header === 'string' && header !== '') {
    for (const cookie of Object.values(parse(header))) if (cookie === value) return true;
  }
  const parsed = req.cookies;
  return parsed !== null && typeof parsed === 'object' && Object.values(parsed).includes(value);
}
