import type { SimpleJWT } from '../simplejwt';
import type { Token } from '../tokens/token';
import { BaseJWTStrategy, type JWTStrategyOptions } from './base-strategy';
import { userIdClaimOf } from '../services/token-validation';

/**
 * Passport strategy `'passport-simplejwt-stateless'` (Simple JWT's
 * JWTStatelessUserAuthentication): no database; `req.user` is a
 * `tokenUserClass` (TokenUser) built from the token's claims.
 *
 * @example
 * passport.use(new JWTStatelessStrategy(sj));
 * app.get('/api/me/', jwtAuth('passport-simplejwt-stateless'), (req, res) => res.json({ id: req.user.id }));
 */
export class JWTStatelessStrategy<U = unknown> extends BaseJWTStrategy<unknown> {
  constructor(sj: SimpleJWT<U>, options: JWTStrategyOptions = {}) {
    // The user type of the instance does not matter here: no store is asked.
    super(sj as unknown as SimpleJWT<never>, 'passport-simplejwt-stateless', options);
  }

  async getUser(token: Token): Promise<unknown> {
    return this.tokenUser(token);
  }

  /** The `tokenUserClass` of the token (throws `InvalidToken` without a user id claim). */
  private tokenUser(token: Token): unknown {
    const claim = this.sj.settings.userIdClaim;
    userIdClaimOf(token, claim);
    return new this.sj.tokenUserClass(token, claim);
  }

  /** The user without waiting, unless a subclass overrides `getUser` (#25). */
  protected override userAtOnce(token: Token): { user: unknown } | undefined {
    return this.getUser === JWTStatelessStrategy.prototype.getUser ? { user: this.tokenUser(token) } : undefined;
  }
}

/**
 * Alias of {@link JWTStatelessStrategy}, as Simple JWT's JWTTokenUserAuthentication.
 * @alias
 */
export const JWTTokenUserStrategy = JWTStatelessStrategy;
