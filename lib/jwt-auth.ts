import type { NextFunction, Request, RequestHandler, Response } from 'express';
import defaultPassport, { type PassportStatic } from 'passport';
import { NotAuthenticated, SimpleJWTError, withChallenge } from './errors';
import { sendError } from './error-handler';

/** Options of {@link jwtAuth}. */
export interface JwtAuthOptions {
  /** Let requests without a token through with no `req.user` (an invalid token is still 401). */
  optional?: boolean;
  /** The Passport instance the strategy is registered on (`new passport.Authenticator()` too). Default: the `passport` module. */
  passport?: Pick<PassportStatic, 'authenticate'>;
}

/**
 * A one-line guard: authenticates with the named strategy and answers the
 * package's JSON 401 when that fails.
 *
 * @example
 * passport.use(new JWTStrategy(sj));
 * app.get('/api/me/', jwtAuth(), (req, res) => res.json({ id: req.user!.id }));
 * app.get('/api/feed/', jwtAuth('passport-simplejwt', { optional: true }), feed);
 */
export function jwtAuth(name = 'passport-simplejwt', options: JwtAuthOptions = {}): RequestHandler {
  const passport = options.passport ?? defaultPassport;
  const optional = options.optional === true;
  return (req: Request, res: Response, next: NextFunction) => {
    const callback = (err: unknown, user: unknown, info: unknown) => {
      if (err) return err instanceof SimpleJWTError ? sendError(res, err) : next(err);
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
