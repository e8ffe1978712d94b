import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import { resolveCookieMode, secureFor, type CookieModeOptions } from '../lib/http/cookie-mode';
import { readCookie } from '../lib/http/cookies';
import { checkCsrf, checkOrigin, newCsrfToken } from '../lib/http/csrf';
import type { SimpleJWT } from '../lib/simplejwt';

/** Which of cookie mode's token cookies. */
export type TokenCookie = 'access' | 'refresh' | 'sliding';

/** What a view does in cookie mode (a column of the view table). */
export interface ViewCookies {
  /** The body field the view reads a token from when the body has none, and the cookies that may hold it (first present wins). */
  reads?: { field: string; from: readonly TokenCookie[] };
  /** The view issues tokens: `access`, `refresh` and `token` of its 200 body become cookies. */
  writes?: boolean;
  /** A login: only the origin check (no cookie proves anything yet), and a fresh CSRF token. */
  login?: boolean;
  /** Clears every cookie on success (log out); the origin is checked first, with or without cookies, as for a login. */
  clears?: boolean;
}

/** Cookie mode around one view: the body in, and the cookies out. */
export interface CookieView {
  /** The data for the serializer: the body, with the token of a cookie when the body has none (after the CSRF check). Throws `CsrfFailed`. */
  input(req: Request): unknown;
  /** Sets or clears the cookies of a 200 and returns the body to send. */
  output(req: Request, res: Response, body: object): object;
}

/** The body fields that carry tokens, by the cookie they go to. */
const TOKEN_FIELDS: ReadonlyArray<readonly [field: string, cookie: TokenCookie]> = [
  ['access', 'access'],
  ['refresh', 'refresh'],
  ['token', 'sliding'],
];
const MS_PER_SECOND = 1000;

/** The path `tokenRouter` was mounted at, for the request it is routing (the refresh cookie's default `Path`). */
const tokenPaths = new WeakMap<Request, string>();

/** Middleware of `tokenRouter`: remembers its mount path for the views below it. */
export function rememberTokenPath(): RequestHandler {
  return (req, _res, next) => {
    tokenPaths.set(req, `${req.baseUrl}/`);
    next();
  };
}

function isPlainBody(body: unknown): body is Record<string, unknown> {
  return body !== null && typeof body === 'object' && !Array.isArray(body);
}

/** Cookie mode for `view`, its options checked once (at router construction). */
export function cookieView<U>(sj: SimpleJWT<U>, view: { cookies?: ViewCookies }, options: CookieModeOptions): CookieView {
  const mode = resolveCookieMode(options);
  const behaviour = view.cookies ?? {};
  const names: Record<TokenCookie, string> = { access: mode.accessCookie, refresh: mode.refreshCookie, sliding: mode.slidingCookie };
  const { accessTokenLifetime, refreshTokenLifetime, slidingTokenRefreshLifetime } = sj.settings;
  const maxAge: Record<TokenCookie, number> = {
    access: accessTokenLifetime * MS_PER_SECOND,
    refresh: refreshTokenLifetime * MS_PER_SECOND,
    // A sliding token is good for as long as it can still be refreshed.
    sliding: slidingTokenRefreshLifetime * MS_PER_SECOND,
  };
  // The CSRF cookie outlives any token the page holds.
  const csrfMaxAge = Math.max(refreshTokenLifetime, slidingTokenRefreshLifetime) * MS_PER_SECOND;

  const pathOf = (req: Request, cookie: TokenCookie | 'csrf'): string =>
    cookie === 'refresh' ? (mode.refreshPath ?? tokenPaths.get(req) ?? mode.path) : mode.path;
  const baseOf = (req: Request): CookieOptions => ({
    httpOnly: true,
    secure: secureFor(mode, req.hostname),
    sameSite: mode.sameSite,
    ...(mode.domain === undefined ? {} : { domain: mode.domain }),
  });

  return {
    input(req) {
      const body: unknown = req.body === undefined ? {} : req.body;
      // A login or a logout acts without any token cookie, so a foreign page could
      // otherwise trigger it: the origin check runs whatever the request carries.
      if (behaviour.login || behaviour.clears) {
        const refused = checkOrigin(req, mode);
        if (refused) throw refused;
        if (behaviour.login) return body;
      }
      const reads = behaviour.reads;
      if (!reads || !isPlainBody(body) || Object.prototype.hasOwnProperty.call(body, reads.field)) return body;
      for (const cookie of reads.from) {
        const token = readCookie(req, names[cookie]);
        if (token === null) continue;
        const refused = checkCsrf(req, mode);
        if (refused) throw refused;
        return { ...body, [reads.field]: token };
      }
      return body;
    },

    output(req, res, body) {
      const base = baseOf(req);
      if (behaviour.clears) {
        for (const cookie of ['access', 'refresh', 'sliding'] as const) res.clearCookie(names[cookie], { ...base, path: pathOf(req, cookie) });
        res.clearCookie(mode.csrfCookie, { ...base, httpOnly: false, path: pathOf(req, 'csrf') });
        return body;
      }
      if (!behaviour.writes || !isPlainBody(body)) return body;
      const out: Record<string, unknown> = { ...body };
      for (const [field, cookie] of TOKEN_FIELDS) {
        const token = body[field];
        if (typeof token !== 'string') continue;
        res.cookie(names[cookie], token, { ...base, path: pathOf(req, cookie), maxAge: maxAge[cookie] });
        if (mode.omitFromBody) delete out[field];
      }
      // A login gets a fresh CSRF token (Django rotates it at login); otherwise one is set only when missing.
      if (behaviour.login || readCookie(req, mode.csrfCookie) === null) {
        res.cookie(mode.csrfCookie, newCsrfToken(), { ...base, httpOnly: false, path: pathOf(req, 'csrf'), maxAge: csrfMaxAge });
      }
      return out;
    },
  };
}
