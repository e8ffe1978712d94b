import { AuthenticationFailed, InvalidToken } from '../errors';
import type { SimpleJWT } from '../simplejwt';
import { md5PasswordHash, type Token } from '../tokens/token';
import type { UserStore } from '../user-store';
import { BaseJWTStrategy, type JWTStrategyOptions } from './base-strategy';

/** The token's user id claim as a string, or an InvalidToken error. */
export function userIdClaimOf(token: Token, claim: string): string {
  const id = token.get(claim);
  if (typeof id !== 'string' && typeof id !== 'number') throw new InvalidToken('Token contained no recognizable user identification');
  return String(id);
}

/**
 * Passport strategy `'passport-simplejwt'` (Simple JWT's JWTAuthentication):
 * validates the bearer token and loads its user through `users.findById`.
 *
 * @example
 * passport.use(new JWTStrategy(sj));
 * app.get('/api/me/', passport.authenticate('passport-simplejwt', { session: false }), (req, res) => res.json(req.user));
 */
export class JWTStrategy<U = unknown> extends BaseJWTStrategy<U> {
  private readonly users: UserStore<U>;

  constructor(sj: SimpleJWT<U>, options: JWTStrategyOptions = {}) {
    super(sj as SimpleJWT<never>, 'passport-simplejwt', options);
    this.users = sj.requireUsers();
  }

  async getUser(token: Token): Promise<U> {
    const sj = this.sj as unknown as SimpleJWT<U>;
    const { userIdClaim, checkUserIsActive, checkRevokeToken, revokeTokenClaim } = sj.settings;
    // Present but null: Simple JWT looks the user up and finds nobody; only a missing claim is unrecognizable.
    if (token.get(userIdClaim) === null) throw new AuthenticationFailed('User not found', 'user_not_found');
    const id = userIdClaimOf(token, userIdClaim);
    // Bounded by storageTimeout: a store that hangs answers 503, as one that fails.
    const user = await sj.storage(this.users.findById(id));
    if (user === null || user === undefined) throw new AuthenticationFailed('User not found', 'user_not_found');
    if (checkUserIsActive && !sj.isUserActive(user)) throw new AuthenticationFailed('User is inactive', 'user_inactive');
    if (checkRevokeToken && token.get(revokeTokenClaim) !== md5PasswordHash(sj.passwordHashOf(user))) {
      throw new AuthenticationFailed("The user's password has been changed.", 'password_changed');
    }
    return user;
  }
}
