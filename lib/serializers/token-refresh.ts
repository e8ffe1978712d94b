import { AuthenticationFailed, RefreshTokenBlacklistedError } from '../errors';
import { failClosed } from '../fail-closed';
import { RefreshToken } from '../tokens/refresh-token';
import { md5PasswordHash } from '../tokens/token';
import type { FieldSpec } from './fields';
import { Serializer, type SerializerContext } from './serializer';

/** The 200 body of the refresh view: `refresh` only when rotating. */
export interface TokenRefreshBody {
  access: string;
  refresh?: string;
  [key: string]: unknown;
}

/**
 * A refresh token in, a new access token out (Simple JWT's
 * `TokenRefreshSerializer`, with the token-family extension):
 *
 * 1. full check of the token (signature, expiry, blacklist, family);
 *    reuse of a blacklisted token blacklists its family with
 *    `tokenFamilyBlacklistOnReuse`, then fails with 401 "Token is blacklisted";
 * 2. the user is looked up again: gone or inactive → 401 `no_active_account`;
 *    password changed (with `checkRevokeToken`) → the token is blacklisted and 401 `password_changed`;
 * 3. with `rotateRefreshTokens` the token is consumed (blacklisted, with
 *    `blacklistAfterRotation`: a token some other request consumed first is
 *    reuse) and comes back with a new `jti`/`exp`/`iat`, its family claims
 *    kept, recorded as outstanding.
 *
 * The protected methods are the seams for the reuse interval
 * (`reuseSuccessor`, `onRotated`) and for custom rotation (`rotate`, `consume`).
 *
 * @example
 * app.use('/api/token/refresh/', tokenRefreshRouter(sj));
 * // POST {"refresh": "<token>"} → {"access": "...", "refresh": "..."}
 */
export class TokenRefreshSerializer<U = unknown> extends Serializer<U> {
  static tokenClass: typeof RefreshToken = RefreshToken;
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    no_active_account: 'No active account found for the given token.',
    password_changed: "The user's password has been changed.",
  };

  override get fields(): ReadonlyArray<FieldSpec> {
    return [{ name: 'refresh' }];
  }

  override async validate(data: unknown, _context: SerializerContext = {}): Promise<TokenRefreshBody> {
    const attrs = this.parse(data);
    const Cls = this.bound((this.constructor as typeof TokenRefreshSerializer).tokenClass);
    const refresh = new Cls(attrs.refresh);
    try {
      await refresh.verify();
    } catch (err) {
      if (this.isBlacklistedRefresh(err)) return this.reused(refresh);
      throw err;
    }
    await this.checkUser(refresh);
    const body: TokenRefreshBody = { access: String(refresh.accessToken) };
    if (this.sj.settings.rotateRefreshTokens) {
      const successor = await this.rotate(refresh);
      body.refresh = String(successor);
    }
    return body;
  }

  /** Whether `verify()` failed because the token is blacklisted. */
  private isBlacklistedRefresh(err: unknown): boolean {
    return err instanceof RefreshTokenBlacklistedError;
  }

  /**
   * The user the token stands for, checked again: deleted or inactive →
   * 401 `no_active_account`; with `checkRevokeToken`, a changed password →
   * the token is blacklisted (blacklist app on) and 401 `password_changed`.
   * Skipped (null) when the instance has no user store or the token no user id.
   */
  protected async checkUser(refresh: RefreshToken): Promise<U | null> {
    const { users, settings } = this.sj;
    if (!users) return null;
    const userId = refresh.get(settings.userIdClaim);
    if (userId === undefined || userId === null || userId === '') return null;
    const user = await failClosed(users.findById(String(userId)));
    if (user === null || user === undefined || !this.sj.userAuthenticationRule(user)) {
      throw new AuthenticationFailed(this.errorMessages.no_active_account, 'no_active_account');
    }
    if (settings.checkRevokeToken && refresh.get(settings.revokeTokenClaim) !== md5PasswordHash(this.sj.passwordHashOf(user))) {
      if (settings.apps.blacklist) await refresh.blacklist();
      throw new AuthenticationFailed(this.errorMessages.password_changed, 'password_changed');
    }
    return user;
  }

  /**
   * Rotation: consumes the token (with `blacklistAfterRotation`), gives it a
   * new `jti`, `exp` and `iat` (other claims, the family ones included, are
   * kept) and records it as outstanding (blacklist app on).
   */
  protected async rotate(refresh: RefreshToken): Promise<RefreshToken> {
    const { blacklistAfterRotation, apps } = this.sj.settings;
    if (blacklistAfterRotation && apps.blacklist && !(await this.consume(refresh))) {
      // Another request consumed this token first: reuse, unless it is a benign retry.
      const successor = await this.reuseSuccessor(refresh);
      if (successor) return successor;
      await this.blacklistFamilyOnReuse(refresh);
      throw new RefreshTokenBlacklistedError();
    }
    const previousJti = refresh.jti();
    refresh.setJti();
    refresh.setExp();
    refresh.setIat();
    if (apps.blacklist) await refresh.outstand();
    await this.onRotated(previousJti, refresh);
    return refresh;
  }

  /**
   * Consumes the presented token: blacklists it and resolves to whether this
   * call did so. The persistence layer decides atomically (a unique
   * constraint), so of concurrent refreshes of one token exactly one gets `true`.
   */
  protected async consume(refresh: RefreshToken): Promise<boolean> {
    const [, created] = await refresh.blacklist();
    return created;
  }

  /**
   * Reuse-interval hook (`refreshTokenReuseInterval`, SPEC 5): when an
   * already consumed token is presented again, the successor to answer with
   * if this is a benign retry within the interval, else null (reuse). The
   * default answers null: every reuse is reuse.
   */
  protected async reuseSuccessor(_refresh: RefreshToken): Promise<RefreshToken | null> {
    return null;
  }

  /** Called after a rotation with the consumed token's jti and its successor; the reuse interval records the pair here. */
  protected async onRotated(_previousJti: string, _successor: RefreshToken): Promise<void> {}

  /** A blacklisted token was presented: a benign retry gets its successor, anything else is reuse. */
  private async reused(refresh: RefreshToken): Promise<TokenRefreshBody> {
    const successor = await this.reuseSuccessor(refresh);
    if (successor) {
      await this.checkUser(successor);
      return { access: String(successor.accessToken), refresh: String(successor) };
    }
    await this.blacklistFamilyOnReuse(refresh);
    throw new RefreshTokenBlacklistedError();
  }

  /** With `tokenFamilyBlacklistOnReuse` (family app on), reuse blacklists the whole family. */
  protected async blacklistFamilyOnReuse(refresh: RefreshToken): Promise<void> {
    const { tokenFamilyEnabled, tokenFamilyBlacklistOnReuse, apps } = this.sj.settings;
    if (tokenFamilyEnabled && tokenFamilyBlacklistOnReuse && apps.tokenFamily && refresh.getFamilyId() !== null) {
      await refresh.blacklistFamily();
    }
  }
}
