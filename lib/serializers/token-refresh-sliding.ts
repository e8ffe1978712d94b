import { SlidingToken } from '../tokens/sliding-token';
import type { FieldSpec } from './fields';
import { Serializer, type SerializerContext } from './serializer';
import type { SlidingTokenBody } from './token-obtain-sliding';
import { USER_RECHECK_MESSAGES } from './user-recheck';

/**
 * A sliding token in, the same token with a new `exp` and `iat` out (Simple
 * JWT's `TokenRefreshSlidingSerializer`), as long as its `refresh_exp` has
 * not passed. The token must itself still be valid (unexpired, not
 * blacklisted), and its user is checked again as at the pair refresh:
 * deleted or inactive → 401 `no_active_account`; password changed (with
 * `checkRevokeToken`) → the token is blacklisted and 401 `password_changed`.
 *
 * @example
 * app.use('/api/token/sliding/refresh/', tokenRefreshSlidingRouter(sj));
 */
export class TokenRefreshSlidingSerializer<U = unknown> extends Serializer<U> {
  static tokenClass: typeof SlidingToken = SlidingToken;
  static override defaultErrorMessages: Readonly<Record<string, string>> = USER_RECHECK_MESSAGES;

  override get fields(): ReadonlyArray<FieldSpec> {
    return [{ name: 'token' }];
  }

  override async validate(data: unknown, context: SerializerContext = {}): Promise<SlidingTokenBody> {
    const attrs = this.parse(data);
    const Cls = this.bound((this.constructor as typeof TokenRefreshSlidingSerializer).tokenClass);
    const token = await this.sj.validation.validate(Cls, attrs.token, context.req);
    await this.checkUser(token);
    token.checkExp(this.sj.settings.slidingTokenRefreshExpClaim);
    token.setExp();
    token.setIat();
    return { token: String(token) };
  }

  /**
   * The user the token stands for, checked again (the seam to customise it);
   * the same check as `TokenRefreshSerializer.checkUser`. Null when skipped
   * (no user store, or no user id in the token).
   */
  protected async checkUser(token: SlidingToken): Promise<U | null> {
    return this.sj.validation.renewalUser(token, this.errorMessages);
  }
}
