import type { NextFunction, Request, RequestHandler, Response } from 'express';
import defaultPassport, { type PassportStatic } from 'passport';
import { NotAuthenticated, ServerError, SimpleJWTError, withChallenge } from '../errors';
import { sendError } from './error-handler';

/** Options of {@link jwtAuth}. */
export interface JwtAuthOptions {
  /** Let requests without a token through with no `req.user` (an invalid token is still 401). Default `false`. */
  optional?: boolean;
  /** The Passport instance the strategy is registered on (`new passport.Authenticator()` too). Default: the `passport` module the app resolves. */
  passport?: Pick<PassportStatic, 'authenticate'>;
}

/** Whether `name` is registered on `passport`; true when the instance cannot say (not Passport's Authenticator). */
function isRegistered(passport: object, name: string): boolean {
  const lookup = (passport as { _strategy?: unknown })._strategy;
  return typeof lookup !== 'function' || lookup.call(passport, name) !== undefined;
}

/**
 * A one-line guard: authenticates with the named strategy and answers the
 * package's JSON 401 when that fails. An unexpected error (a user store
 * throwing) goes to `next(err)` as a 500 `ServerError`; an outage is a 503.
 * At its first request it checks that the strategy is registered on the
 * Passport instance it uses, and says how to register it when it is not.
 *
 * @example
 * passport.use(new JWTStrategy(sj));
 * app.get('/api/me/', jwtAuth(), (req, res) => res.json({ id: req.user!.id }));
 * app.get('/api/feed/', jwtAuth('passport-simplejwt', { optional: true }), feed);
 */
export function jwtAuth(name = 'passport-simplejwt', options: JwtAuthOptions = {}): RequestHandler {
  const passport = options.passport ?? defaultPassport;
  const optional = options.optional === true;
  let registered = false;
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
    const callback = (err: unknown, user: unknown, info: unknown) => {
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
    passport.authenticate(name, { session: false }, callback)(req, res, next);
  };
}
