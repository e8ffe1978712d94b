import { TokenError } from '../errors';
import type { SerializerContext } from './serializer';
import { TokenBlacklistSerializer } from './token-blacklist';

/**
 * Log out (cookie mode's `/logout/`): a refresh token in, `{}` out, the token
 * blacklisted when the blacklist app is on. Unlike
 * {@link TokenBlacklistSerializer} it is idempotent: no token, or one that is
 * already invalid, expired or blacklisted, is a session already over, not an
 * error (the view still clears the cookies). An outage is still a 503.
 *
 * @example
 * app.use('/api/token/', tokenRouter(sj, { cookies: {} })); // POST /api/token/logout/
 */
export class TokenLogoutSerializer<U = unknown> extends TokenBlacklistSerializer<U> {
  override async validate(data: unknown, context: SerializerContext = {}): Promise<Record<string, never>> {
    if (data !== null && typeof data === 'object' && !Array.isArray(data) && !Object.prototype.hasOwnProperty.call(data, 'refresh')) return {};
    try {
      return await super.validate(data, context);
    } catch (err) {
      if (err instanceof TokenError) return {};
      throw err;
    }
  }
}
