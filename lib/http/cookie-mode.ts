/**
 * Cookie mode: tokens in `HttpOnly` cookies, out of reach of the page's
 * scripts, with Django's CSRF convention. One options object serves the
 * token routers and the strategies.
 */

/** Default name of the access token cookie (the body field it stands for). */
export const DEFAULT_ACCESS_COOKIE = 'access';
/** Default name of the refresh token cookie. */
export const DEFAULT_REFRESH_COOKIE = 'refresh';
/** Default name of the sliding token cookie (the sliding views' `token` field). */
export const DEFAULT_SLIDING_COOKIE = 'token';
/** Default name of the CSRF cookie (Django's `CSRF_COOKIE_NAME`). */
export const DEFAULT_CSRF_COOKIE = 'csrftoken';
/** Django's `CSRF_HEADER_NAME` (`HTTP_X_CSRFTOKEN`). */
export const DEFAULT_CSRF_HEADER = 'X-CSRFToken';
/** Path of the access, sliding and CSRF cookies. */
export const DEFAULT_COOKIE_PATH = '/';

/** Options of cookie mode (`tokenRouter(sj, { cookies })`, the view factories and the strategies). */
export interface CookieModeOptions {
  /** Name of the access token cookie. Default `'access'`. */
  accessCookie?: string;
  /** Name of the refresh token cookie. Default `'refresh'`. */
  refreshCookie?: string;
  /** Name of the sliding token cookie. Default `'token'`. */
  slidingCookie?: string;
  /** Name of the CSRF cookie the page reads. Default `'csrftoken'`. */
  csrfCookie?: string;
  /** Header the page echoes the CSRF cookie in. Default `'X-CSRFToken'`. */
  csrfHeader?: string;
  /**
   * Origins besides the request's own allowed to make unsafe requests
   * (Django's `CSRF_TRUSTED_ORIGINS`), e.g. `['https://app.example.com']`;
   * `https://*.example.com` trusts every subdomain. Default none.
   */
  csrfTrustedOrigins?: string[];
  /** `Domain` of every cookie. Default none (host-only cookies). */
  domain?: string;
  /** `Path` of the access, sliding and CSRF cookies. Default `'/'`. */
  path?: string;
  /**
   * `Path` of the refresh cookie. Default: the path `tokenRouter` is mounted
   * at (so the refresh token only travels to the token endpoints); `'/'`
   * for a view factory mounted on its own.
   */
  refreshPath?: string;
  /**
   * `Secure` on every cookie. Default true. `false` is for development over
   * `http://127.0.0.1` or `http://localhost` only: it warns at start-up, and
   * requests to any other host still get `Secure` cookies.
   */
  secure?: boolean;
  /** `SameSite` of every cookie. Default `'lax'`. */
  sameSite?: 'lax' | 'strict';
  /** Leave the tokens out of the JSON bodies (the page's script never sees one). Default false: bodies as the token endpoints' (docs/views.md). */
  omitFromBody?: boolean;
}

/** Cookie mode after defaults and checks. */
export interface ResolvedCookieMode {
  accessCookie: string;
  refreshCookie: string;
  slidingCookie: string;
  csrfCookie: string;
  /** Lower-case, as Node stores headers. */
  csrfHeader: string;
  csrfTrustedOrigins: readonly string[];
  domain: string | undefined;
  path: string;
  refreshPath: string | undefined;
  secure: boolean;
  sameSite: 'lax' | 'strict';
  omitFromBody: boolean;
}

const KNOWN = new Set<string>([
  'accessCookie',
  'refreshCookie',
  'slidingCookie',
  'csrfCookie',
  'csrfHeader',
  'csrfTrustedOrigins',
  'domain',
  'path',
  'refreshPath',
  'secure',
  'sameSite',
  'omitFromBody',
]);
/** RFC 6265 cookie-name (a token) and header names. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** `scheme://host[:port]`, or `scheme://*.domain[:port]`. */
const ORIGIN = /^https?:\/\/(\*\.)?[^/?#\s*]+$/;

function fail(message: string): never {
  throw new TypeError(`passport-simplejwt: ${message}`);
}

function name(options: Record<string, unknown>, key: string, fallback: string): string {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !TOKEN.test(value)) fail(`'cookies.${key}' must be a cookie or header name (letters, digits, -_.)`);
  return value;
}

function path(options: Record<string, unknown>, key: string, fallback: string | undefined): string | undefined {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !value.startsWith('/') || /[;\s]/.test(value)) fail(`'cookies.${key}' must be a path starting with '/'`);
  return value;
}

function bool(options: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(`'cookies.${key}' must be a boolean`);
  return value;
}

const warned = new WeakSet<object>();

/**
 * Checks cookie mode's options once; throws a TypeError naming the bad one.
 * The routers and strategies call it at construction; `warn` receives the
 * `secure: false` warning (default `console.warn`; null: no warning, as
 * for the strategies, which set no cookie).
 *
 * @example
 * resolveCookieMode({ csrfTrustedOrigins: ['https://app.example.com'] }).csrfHeader; // 'x-csrftoken'
 */
export function resolveCookieMode(input: CookieModeOptions, warn: ((message: string) => void) | null = console.warn): ResolvedCookieMode {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) fail("'cookies' must be an object such as { omitFromBody: true }");
  const options = input as Record<string, unknown>;
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) fail(`unknown cookie mode option 'cookies.${key}'`);

  const origins = options.csrfTrustedOrigins ?? [];
  if (!Array.isArray(origins) || !origins.every((o) => typeof o === 'string' && ORIGIN.test(o))) {
    fail("'cookies.csrfTrustedOrigins' must be a list of origins such as 'https://app.example.com'");
  }
  const domain = options.domain;
  if (domain !== undefined && (typeof domain !== 'string' || domain === '' || /[;\s]/.test(domain))) fail("'cookies.domain' must be a domain name");
  const sameSite = options.sameSite ?? 'lax';
  if (sameSite !== 'lax' && sameSite !== 'strict') fail("'cookies.sameSite' must be 'lax' or 'strict'");

  const secure = bool(options, 'secure', true);
  // Once per options object: tokenRouter hands the same one to each of its views.
  if (!secure && warn !== null && !warned.has(input)) {
    warned.add(input);
    warn(
      'passport-simplejwt: WARNING: cookies.secure is false. Token cookies go without Secure to http://127.0.0.1 and http://localhost ONLY ' +
        '(development); every other host still gets Secure cookies. Never run production over plain HTTP.',
    );
  }
  return {
    accessCookie: name(options, 'accessCookie', DEFAULT_ACCESS_COOKIE),
    refreshCookie: name(options, 'refreshCookie', DEFAULT_REFRESH_COOKIE),
    slidingCookie: name(options, 'slidingCookie', DEFAULT_SLIDING_COOKIE),
    csrfCookie: name(options, 'csrfCookie', DEFAULT_CSRF_COOKIE),
    csrfHeader: name(options, 'csrfHeader', DEFAULT_CSRF_HEADER).toLowerCase(),
    csrfTrustedOrigins: (origins as string[]).map((o) => o.toLowerCase()),
    domain: domain as string | undefined,
    path: path(options, 'path', DEFAULT_COOKIE_PATH) as string,
    refreshPath: path(options, 'refreshPath', undefined),
    secure,
    sameSite,
    omitFromBody: bool(options, 'omitFromBody', false),
  };
}

/** Hosts that browsers treat as a secure context over plain HTTP. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Whether the cookies of this request's response carry `Secure`: always, unless `secure: false` and the host is loopback. */
export function secureFor(mode: ResolvedCookieMode, hostname: string | undefined): boolean {
  return mode.secure || !LOOPBACK_HOSTS.has(String(hostname ?? '').toLowerCase());
}
