import type { SimpleJWT } from '../simplejwt';
import type { Token } from '../tokens/token';
import { BaseJWTStrategy, type JWTStrategyOptions } from './base-strategy';

/**
 * Passport strategy `'passport-simplejwt'` (Simple JWT's JWTAuthentication):
 * validates the bearer token and loads its user through `users.findById`.
 *
 * @example
 * passport.use(new JWTStrategy(sj));
 * app.get('/api/me/', passport.authenticate('passport-simplejwt', { session: false }), (req, res) => res.json(req.user));
 */
export class JWTStrategy<U = unknown> extends BaseJWTStrategy<U> {
  constructor(sj: SimpleJWT<U>, options: JWTStrategyOptions = {}) {
    super(sj as unknown as SimpleJWT<never>, 'passport-simplejwt', options);
    sj.requireUsers();
  }

  /** The validation pipeline's user step: the token's user, found, active (checkUserIsActive), password unchanged (checkRevokeToken). */
  getUser(token: Token): Promise<U> {
    return (this.sj as unknown as SimpleJWT<U>).validation.requestUser(token);
  }
}
