import type { BlacklistedTokenFamilyRecord } from '../types/apps';
import { TokenError } from '../errors';
import type { ResolvedSettings } from '../settings';
import { AccessToken } from './access-token';
import { BlacklistMixin } from './blacklist-mixin';
import { Token, toEpoch, uuidHex, type TokenClass } from './token';

/**
 * A long-lived token exchanged for access tokens (`token_type: "refresh"`).
 * With the blacklist app it is recorded and can be blacklisted (Simple JWT's
 * `BlacklistMixin`); with the family app each `forUser` starts a family that
 * rotation carries on, and `blacklistFamily()` revokes it (`FamilyMixin`).
 *
 * @example
 * const refresh = await sj.RefreshToken.forUser(user);
 * res.json({ refresh: String(refresh), access: String(refresh.accessToken) });
 */
export class RefreshToken extends BlacklistMixin(Token) {
  static override tokenType: string | null = 'refresh';
  protected static override lifetimeSetting: keyof ResolvedSettings = 'refreshTokenLifetime';
  /** The access token class `accessToken` builds; by default the instance's `AccessToken`. */
  static accessTokenClass?: TokenClass<AccessToken>;

  protected static override familyChecked(settings: ResolvedSettings): boolean {
    return settings.tokenFamilyEnabled && settings.apps.tokenFamily;
  }

  /** Claims never copied into the access token. */
  get noCopyClaims(): string[] {
    const { tokenTypeClaim, jtiClaim } = this.sj.settings;
    return [tokenTypeClaim ?? 'token_type', 'exp', jtiClaim ?? 'jti', 'jti', 'iat'];
  }

  /**
   * A new access token carrying this token's claims (not its type, `exp`,
   * `jti`, `iat`; `family_exp` only with tokenFamilyCheckOnAccess, `family_id`
   * also whenever token families (and so sessions) are on). Its
   * `exp` counts from when this object was made, so a pair expires together.
   */
  get accessToken(): AccessToken {
    const cls = this.constructor as typeof RefreshToken;
    const AccessClass = cls.accessTokenClass ?? this.sj.bind(AccessToken);
    const access = new AccessClass();
    access.setExp('exp', this.currentTime);
    const skip = new Set(this.noCopyClaims);
    const { tokenFamilyCheckOnAccess, tokenFamilyEnabled, apps, tokenFamilyClaim, tokenFamilyExpirationClaim } = this.sj.settings;
    if (!tokenFamilyCheckOnAccess) {
      // With families on, sessions are: the access token names its session (`current` of sj.sessions.list).
      if (!(tokenFamilyEnabled && apps.tokenFamily)) skip.add(tokenFamilyClaim);
      skip.add(tokenFamilyExpirationClaim);
    }
    for (const claim of Object.keys(this.payload)) {
      if (!skip.has(claim)) access.payload[claim] = this.payload[claim];
    }
    return access;
  }

  /** FamilyMixin: a new refresh token starts a family. */
  protected static override async afterCreateForUser(token: Token, _user: unknown): Promise<void> {
    const sj = token.sj;
    const { tokenFamilyEnabled, apps, tokenFamilyClaim, tokenFamilyExpirationClaim, tokenFamilyLifetime } = sj.settings;
    if (!tokenFamilyEnabled || !apps.tokenFamily) return;
    const familyId = uuidHex();
    token.set(tokenFamilyClaim, familyId);
    let expiresAt: Date | null = null;
    if (tokenFamilyLifetime !== null) {
      expiresAt = new Date(token.currentTime.getTime() + tokenFamilyLifetime * 1000);
      token.set(tokenFamilyExpirationClaim, toEpoch(expiresAt));
    }
    await sj.revocation.createFamily(token, expiresAt);
  }

  /** FamilyMixin: blacklists this token's family. Resolves to `[BlacklistedTokenFamily, created]` (a one-line call into `sj.revocation.blacklistFamily`). */
  async blacklistFamily(): Promise<[BlacklistedTokenFamilyRecord, boolean]> {
    const familyId = this.getFamilyId();
    if (familyId === null) throw new TokenError('Token has no family ID');
    return this.sj.revocation.blacklistFamily(this, familyId);
  }
}
