import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { readCookie } from './cookies';
import type { ResolvedCookieMode } from './cookie-mode';
import { CsrfFailed } from '../errors';

/** Methods that must not change anything, so need no CSRF check (RFC 9110 safe methods, Django's list). */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
/** Bytes of randomness of a CSRF token (Django's secret is 32 characters of 62; this is 256 bits). */
const CSRF_TOKEN_BYTES = 32;

/** Whether `method` is a safe one (no CSRF check). */
export function isSafeMethod(method: string | undefined): boolean {
  return SAFE_METHODS.has(String(method ?? '').toUpperCase());
}

/** A new random CSRF token for the `csrftoken` cookie. */
export function newCsrfToken(): string {
  return randomBytes(CSRF_TOKEN_BYTES).toString('base64url');
}

/** `scheme://host[:port]` of the request itself, lower-case; null without a Host header. */
function ownOrigin(req: Request): string | null {
  const host = req.headers.host;
  if (typeof host !== 'string' || host === '') return null;
  return `${req.protocol ?? 'http'}://${host}`.toLowerCase();
}

/** Whether `origin` (lower-case) is one of `trusted`; `https://*.example.com` matches any subdomain. */
function isTrusted(origin: string, trusted: readonly string[]): boolean {
  for (const entry of trusted) {
    if (entry === origin) return true;
    const wildcard = entry.indexOf('://*.');
    if (wildcard === -1) continue;
    const scheme = entry.slice(0, wildcard + 3);
    const suffix = entry.slice(wildcard + 4); // '.example.com[:port]'
    if (origin.startsWith(scheme) && origin.endsWith(suffix) && origin.length > scheme.length + suffix.length) return true;
  }
  return false;
}

/** The origin of a Referer URL, lower-case; null when it does not parse. */
function refererOrigin(referer: string): { origin: string; protocol: string } | null {
  try {
    const url = new URL(referer);
    return url.origin === 'null' ? null : { origin: url.origin.toLowerCase(), protocol: url.protocol };
  } catch {
    return null;
  }
}

/**
 * Django's origin check: an `Origin` header must be the request's own origin
 * or a trusted one; without it, a request over HTTPS must carry a `Referer`
 * of such an origin. Null when the request passes.
 */
export function checkOrigin(req: Request, mode: ResolvedCookieMode): CsrfFailed | null {
  const own = ownOrigin(req);
  const origin = req.headers.origin;
  if (typeof origin === 'string') {
    const lower = origin.toLowerCase();
    if (lower === own || isTrusted(lower, mode.csrfTrustedOrigins)) return null;
    return new CsrfFailed(`Origin checking failed - ${origin} does not match any trusted origins.`);
  }
  if (!req.secure) return null;
  const referer = req.headers.referer;
  if (typeof referer !== 'string' || referer === '') return new CsrfFailed('Referer checking failed - no Referer.');
  const parsed = refererOrigin(referer);
  if (parsed === null) return new CsrfFailed('Referer checking failed - Referer is malformed.');
  if (parsed.protocol !== 'https:') return new CsrfFailed('Referer checking failed - Referer is insecure while host is secure.');
  if (parsed.origin === own || isTrusted(parsed.origin, mode.csrfTrustedOrigins)) return null;
  return new CsrfFailed(`Referer checking failed - ${parsed.origin} does not match any trusted origins.`);
}

/** Constant-time equality of two strings (false for different lengths). */
function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The whole check of an unsafe request authenticated by a cookie: the
 * origin check, then the double submit (the `csrftoken` cookie echoed in
 * the `X-CSRFToken` header, compared in constant time). Safe methods pass.
 * Null when the request passes, else the 403 to answer.
 */
export function checkCsrf(req: Request, mode: ResolvedCookieMode): CsrfFailed | null {
  if (isSafeMethod(req.method)) return null;
  const origin = checkOrigin(req, mode);
  if (origin) return origin;
  const cookie = readCookie(req, mode.csrfCookie);
  if (cookie === null) return new CsrfFailed('CSRF cookie not set.');
  const sent = req.headers[mode.csrfHeader];
  const header = Array.isArray(sent) ? sent[0] : sent;
  if (typeof header !== 'string' || header === '') return new CsrfFailed('CSRF token missing.');
  if (!sameSecret(header, cookie)) return new CsrfFailed('CSRF token incorrect.');
  return null;
}
