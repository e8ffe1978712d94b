import type { NextFunction, Request, RequestHandler, Response } from 'express';
import defaultPassport, { type PassportStatic } from 'passport';
import { NotAuthenticated, ServerError, SimpleJWTError, withChallenge } from '../errors';
import { sendError } from './error-handler';
import { AUTHENTICATE_DIRECT, isDirectAuthenticator, type AuthenticateCallback, type DirectAuthenticate } from './direct-auth';

/** Options of {@link jwtAuth}. */
export interface JwtAuthOptions {
  /** Let requests without a token through with no `req.user` (an invalid token is still 401). Default `false`. */
  optional?: boolean;
  /** The Passport instance the strategy is registered on (`new passport.Authenticator()` too). Default: the `passport` module the app resolves. */
  passport?: Pick<PassportStatic, 'authenticate'>;
}

/** The private members of Passport's Authenticator jwtAuth reads (passport 0.5–0.7). */
interface AuthenticatorInternals {
  _strategy?: (name: string) => unknown;
  _framework?: { authenticate?: unknown };
  _sm?: unknown;
}

/** Whether `name` is registered on `passport`; true when the instance cannot say (not Passport's Authenticator). */
function isRegistered(passport: object, name: string): boolean {
  const lookup = (passport as AuthenticatorInternals)._strategy;
  return typeof lookup !== 'function' || lookup.call(passport, name) !== undefined;
}

/** What passport's `authenticate` middleware installs on every request before its strategy runs (passport/lib/http/request.js). */
interface RequestMethods {
  logIn: unknown;
  logOut: unknown;
  isAuthenticated: unknown;
  isUnauthenticated: unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const requestMethods = require('passport/lib/http/request') as RequestMethods;
const defaultInternals = defaultPassport as unknown as AuthenticatorInternals;

/**
 * jwtAuth()'s fast path for `strategy` on `passport` (issue #25), or null: only for one of
 * the package's strategies (not a subclass overriding `authenticate`), registered on a
 * Passport instance whose `authenticate` and framework are passport's own, so that what
 * passport would do per request is known: build a strategy object and answer the callback.
 */
function directPath(passport: object, strategy: unknown): DirectAuthenticate | null {
  const internals = passport as AuthenticatorInternals;
  if (!isDirectAuthenticator(strategy)) return null;
  if ((passport as { authenticate?: unknown }).authenticate !== defaultPassport.Authenticator.prototype.authenticate) return null;
  if (internals._framework?.authenticate === undefined || internals._framework.authenticate !== defaultInternals._framework?.authenticate) return null;
  return strategy[AUTHENTICATE_DIRECT]();
}

/** Request prototypes (an Express app's `app.request`) seen, with the Passport instance whose session manager their root carries. */
const preparedPrototypes = new WeakMap<object, object>();

/** The outermost Express app's request prototype: a mounted app's `app.request` inherits from its parent's (Express sets it at mount). */
function rootRequestPrototype(proto: object): object {
  let root = proto;
  for (let parent = Object.getPrototypeOf(root) as object | null; parent !== null && Object.prototype.hasOwnProperty.call(parent, 'app');) {
    root = parent;
    parent = Object.getPrototypeOf(root) as object | null;
  }
  return root;
}

/**
 * What passport's middleware installs on each request before a strategy runs: the request
 * methods (kept when the app has its own) and the instance's session manager. Written once
 * on the outermost app's request prototype (Express's documented `app.request`, which a
 * mounted app's inherits, so a request that leaves a mounted app keeps them; passport before
 * 0.6 put the methods on `http.IncomingMessage.prototype`): writing them on every request
 * cost more than the strategy's checks (bench/RESULTS.md, #25). A second Passport instance
 * in the same app gets its session manager on the request itself, as passport does.
 */
function installRequestMethods(req: Request, passport: object): void {
  const proto = Object.getPrototypeOf(req) as object | null;
  if (proto === null) return installOnRequest(req, passport);
  let owner = preparedPrototypes.get(proto);
  if (owner === undefined) {
    const root = rootRequestPrototype(proto) as Record<string, unknown>;
    owner = preparedPrototypes.get(root);
    if (owner === undefined) {
      root.login ??= requestMethods.logIn;
      root.logIn ??= requestMethods.logIn;
      root.logout ??= requestMethods.logOut;
      root.logOut ??= requestMethods.logOut;
      root.isAuthenticated ??= requestMethods.isAuthenticated;
      root.isUnauthenticated ??= requestMethods.isUnauthenticated;
      root._sessionManager = (passport as AuthenticatorInternals)._sm;
      preparedPrototypes.set(root, passport);
      owner = passport;
    }
    preparedPrototypes.set(proto, owner);
  }
  if (owner !== passport) installOnRequest(req, passport);
}

/** As passport's middleware: on the request itself. */
function installOnRequest(req: Request, passport: object): void {
  const r = req as unknown as Record<string, unknown>;
  r.login = r.logIn = r.logIn ?? requestMethods.logIn;
  r.logout = r.logOut = r.logOut ?? requestMethods.logOut;
  r.isAuthenticated = r.isAuthenticated ?? requestMethods.isAuthenticated;
  r.isUnauthenticated = r.isUnauthenticated ?? requestMethods.isUnauthenticated;
  r._sessionManager = (passport as AuthenticatorInternals)._sm;
}

/**
 * A one-line guard: authenticates with the named strategy and answers the
 * package's JSON 401 when that fails. An unexpected error (a user store
 * throwing) goes to `next(err)` as a 500 `ServerError`; an outage is a 503.
 * At its first request it checks that the strategy is registered on the
 * Passport instance it uses, and says how to register it when it is not.
 *
 * When the strategy registered under `name` is one of the package's
 * (`JWTStrategy`, `JWTStatelessStrategy`, or a subclass that does not
 * override `authenticate`) on Passport's own `Authenticator`, jwtAuth runs
 * its checks itself, without passport's per-request strategy object: the
 * same `req.user`, `req.authInfo`, status, body and `WWW-Authenticate`, and
 * the request methods passport installs (`req.isAuthenticated()`…). Any other
 * strategy, or a Passport instance whose `authenticate` is replaced, goes
 * through `passport.authenticate(name, { session: false }, callback)` as
 * before. Use jwtAuth on routes of this package's tokens; use
 * `passport.authenticate(...)` for a chain of strategies, sessions,
 * redirects or flash messages (docs/performance.md).
 *
 * @example
 * passport.use(new JWTStrategy(sj));
 * app.get('/api/me/', jwtAuth(), (req, res) => res.json({ id: req.user!.id }));
 * app.get('/api/feed/', jwtAuth('passport-simplejwt', { optional: true }), feed);
 */
export function jwtAuth(name = 'passport-simplejwt', options: JwtAuthOptions = {}): RequestHandler {
  const passport = options.passport ?? defaultPassport;
  const optional = options.optional === true;
  const lookup = (passport as AuthenticatorInternals)._strategy;
  let registered = false;
  // The strategy the fast path was decided for: passport.use() may replace it later.
  let decidedFor: unknown = undefined;
  let direct: DirectAuthenticate | null = null;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!registered) {
      // Checked per request until found: apps often build the guard before passport.use().
      if (!isRegistered(passport, name)) {
        return next(
          new ServerError(
            `jwtAuth('${name}'): no Passport strategy named '${name}' is registered on the passport instance jwtAuth uses. ` +
              `Register it with passport.use(new JWTStrategy(sj${name === 'passport-simplejwt' ? '' : `, { name: '${name}' }`})) ` +
              `(JWTStatelessStrategy for 'passport-simplejwt-stateless'), or pass the instance it is registered on: jwtAuth('${name}', { passport })`,
          ),
        );
      }
      registered = true;
    }
    const callback: AuthenticateCallback = (err, user, info) => {
      if (err) return err instanceof SimpleJWTError && !(err instanceof ServerError) ? sendError(res, err) : next(err);
      if (!user) {
        if (optional) return next();
        // The strategy's fail() challenge, so a custom scheme is announced as configured.
        return sendError(res, typeof info === 'string' ? withChallenge(new NotAuthenticated(), info) : new NotAuthenticated());
      }
      (req as { user?: unknown }).user = user;
      (req as { authInfo?: unknown }).authInfo = info;
      next();
    };
    if (typeof lookup === 'function') {
      const strategy: unknown = lookup.call(passport, name);
      if (strategy !== decidedFor) {
        decidedFor = strategy;
        direct = directPath(passport, strategy);
      }
      if (direct) {
        installRequestMethods(req, passport);
        return direct(req, callback);
      }
    }
    passport.authenticate(name, { session: false }, callback)(req, res, next);
  };
}
