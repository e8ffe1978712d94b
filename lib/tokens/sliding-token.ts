import type { ResolvedSettings } from '../settings';
import { BlacklistMixin } from './blacklist-mixin';
import { Token, type TokenOptions } from './token';

/**
 * One token that authenticates and renews itself until `refresh_exp`
 * (`token_type: "sliding"`).
 *
 * @example
 * const sliding = await sj.SlidingToken.forUser(user);
 * app.use(passport.authenticate('passport-simplejwt', { session: false })); // with authTokenClasses: ['SlidingToken']
 */
export class SlidingToken extends BlacklistMixin(Token) {
  static override tokenType: string | null = 'sliding';
  protected static override lifetimeSetting: keyof ResolvedSettings = 'slidingTokenLifetime';

  constructor(token?: string | null, options?: TokenOptions) {
    super(token, options);
    if (this.token === null) {
      const { slidingTokenRefreshExpClaim, slidingTokenRefreshLifetime } = this.sj.settings;
      this.setExp(slidingTokenRefreshExpClaim, this.currentTime, slidingTokenRefreshLifetime);
    }
  }
}
