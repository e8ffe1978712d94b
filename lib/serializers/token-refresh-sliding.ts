import { SlidingToken } from '../tokens/sliding-token';
import type { FieldSpec } from './fields';
import { Serializer, type SerializerContext } from './serializer';
import type { SlidingTokenBody } from './token-obtain-sliding';

/**
 * A sliding token in, the same token with a new `exp` and `iat` out (Simple
 * JWT's `TokenRefreshSlidingSerializer`), as long as its `refresh_exp` has
 * not passed. The token must itself still be valid (unexpired, not blacklisted).
 *
 * @example
 * app.use('/api/token/sliding/refresh/', tokenRefreshSlidingRouter(sj));
 */
export class TokenRefreshSlidingSerializer<U = unknown> extends Serializer<U> {
  static tokenClass: typeof SlidingToken = SlidingToken;

  override get fields(): ReadonlyArray<FieldSpec> {
    return [{ name: 'token' }];
  }

  override async validate(data: unknown, _context: SerializerContext = {}): Promise<SlidingTokenBody> {
    const attrs = this.parse(data);
    const Cls = this.bound((this.constructor as typeof TokenRefreshSlidingSerializer).tokenClass);
    const token = new Cls(attrs.token);
    await token.verify();
    token.checkExp(this.sj.settings.slidingTokenRefreshExpClaim);
    token.setExp();
    token.setIat();
    return { token: String(token) };
  }
}
