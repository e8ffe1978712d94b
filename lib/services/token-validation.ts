import { AuthenticationFailed, InvalidToken, RefreshTokenBlacklistedError, TokenError, type TokenClassMessage } from '../errors';
import type { ResolvedSettings } from '../settings';
import type { BlacklistableToken } from '../tokens/blacklist-mixin';
import { RefreshToken } from '../tokens/refresh-token';
import { SlidingToken } from '../tokens/sliding-token';
import type { Token, TokenClass } from '../tokens/token';
import { UntypedToken } from '../tokens/untyped-token';
import type { Revocation } from './revocation';
import type { UserPolicy } from './user-policy';

/** What the pipeline is built from (`SimpleJWT` passes its own). */
export interface TokenValidationDeps<U> {
  readonly settings: ResolvedSettings;
  readonly revocation: Revocation;
  readonly userPolicy: UserPolicy<U>;
  /** Makes the verifying key of a raw token available (JWKS) before the synchronous decode. */
  prepareKey(raw: string): Promise<void>;
  /** The instance's class for `cls`. */
  bind<C extends typeof Token>(cls: C): C;
}

/** The messages of a user refused at a renewal, by key (`no_active_account`, `password_changed`). */
export type RenewalMessages = Readonly<Record<string, string>>;

/** The token's user id claim as a string, or an InvalidToken error. */
export function userIdClaimOf(token: Token, claim: string): string {
  const id = token.get(claim);
  if (typeof id !== 'string' && typeof id !== 'number') throw new InvalidToken('Token contained no recognizable user identification');
  return String(id);
}

const REQUEST_REFUSALS = {
  user_not_found: 'User not found',
  user_inactive: 'User is inactive',
  password_changed: "The user's password has been changed.",
} as const;

/**
 * The validation of a presented token, one pipeline for the strategies and
 * the serializers (Simple JWT's `get_validated_token` + `get_user`, and the
 * refresh serializers' user re-check):
 *
 * 1. decode: signature, `exp`, `jti`, type (the token class's synchronous checks);
 * 2. stored checks: blacklist and family, in one round trip (`token.verify()`);
 * 3. user: exists, active, password unchanged (the user policy).
 *
 * Each step is a method, so a serializer with its own branch between two
 * steps (the refresh's reuse of a blacklisted token) still uses the same steps.
 */
export class TokenValidation<U = unknown> {
  private readonly deps: TokenValidationDeps<U>;

  constructor(deps: TokenValidationDeps<U>) {
    this.deps = deps;
  }

  /** Step 1: the token of class `Cls` decoded from `raw`, its I/O-free checks passed (throws `TokenError`). */
  decode<T extends Token>(Cls: TokenClass<T>, raw: string): T {
    return new Cls(raw);
  }

  /** Steps 1 and 2 of the token's own class: the full check (`verify()`), deferred signature, claims, blacklist, family. */
  async check(token: Token): Promise<void> {
    await token.verify();
  }

  /** Steps 1 and 2: a token of class `Cls`, fully verified. */
  async validate<T extends Token>(Cls: TokenClass<T>, raw: string): Promise<T> {
    const token = this.decode(Cls, raw);
    await this.check(token);
    return token;
  }

  /**
   * Steps 1 and 2 against several classes (`authTokenClasses`): the first
   * that accepts the token; else `InvalidToken` with each class's message.
   */
  async validateFirst(classes: ReadonlyArray<TokenClass>, raw: string): Promise<Token> {
    const messages: TokenClassMessage[] = [];
    for (const TokenCls of classes) {
      try {
        return await this.validate(TokenCls, raw);
      } catch (err) {
        if (!(err instanceof TokenError)) throw err;
        messages.push({ token_class: TokenCls.name, token_type: TokenCls.tokenType, message: err.message });
      }
    }
    throw new InvalidToken('Given token not valid for any token type', messages);
  }

  /**
   * Steps 1 and 2 for a token of any type (the verify view): signature and
   * expiry; a blacklisted refresh or sliding token throws
   * `RefreshTokenBlacklistedError`; with token families, an expired or
   * blacklisted family throws `TokenError`.
   */
  async validateAnyType(raw: string): Promise<Token> {
    const { apps, tokenTypeClaim, jtiClaim, tokenFamilyEnabled } = this.deps.settings;
    const token = await this.validate(this.deps.bind(UntypedToken), raw);
    if (apps.blacklist && tokenTypeClaim !== null && jtiClaim !== null) {
      const type = token.get(tokenTypeClaim);
      const jti = token.get(jtiClaim);
      const blacklistable = type === this.deps.bind(RefreshToken).tokenType || type === this.deps.bind(SlidingToken).tokenType;
      if (blacklistable && (typeof jti === 'string' || typeof jti === 'number') && (await this.deps.revocation.isBlacklisted(String(jti)))) {
        throw new RefreshTokenBlacklistedError('Token is blacklisted');
      }
    }
    if (tokenFamilyEnabled && apps.tokenFamily) {
      token.checkFamilyExp();
      await token.checkFamilyBlacklist();
    }
    return token;
  }

  /**
   * Step 3 on a request (the stateful strategy): the token's user, loaded
   * with `users.findById`; 401 `user_not_found`, `user_inactive` (with
   * checkUserIsActive) or `password_changed` (with checkRevokeToken).
   */
  async requestUser(token: Token): Promise<U> {
    const { userIdClaim } = this.deps.settings;
    // Present but null: Simple JWT looks the user up and finds nobody; only a missing claim is unrecognizable.
    if (token.get(userIdClaim) === null) throw new AuthenticationFailed(REQUEST_REFUSALS.user_not_found, 'user_not_found');
    const id = userIdClaimOf(token, userIdClaim);
    const user = await this.deps.userPolicy.findById(id);
    const refusal = this.deps.userPolicy.refusal(token, user, 'checkUserIsActive');
    if (refusal !== null) throw new AuthenticationFailed(REQUEST_REFUSALS[refusal], refusal);
    return user as U;
  }

  /**
   * Step 3 at a renewal (refresh, sliding refresh): the user checked again
   * before the token is renewed. Deleted, or refused by
   * `userAuthenticationRule` → 401 `no_active_account`; password changed
   * (checkRevokeToken) → the token is blacklisted (blacklist app on) and 401
   * `password_changed`. Null (skipped) without a user store or a user id.
   */
  async renewalUser(token: BlacklistableToken, messages: RenewalMessages): Promise<U | null> {
    const { userPolicy, settings } = this.deps;
    if (!userPolicy.hasUsers) return null;
    const userId = token.get(settings.userIdClaim);
    if (userId === undefined || userId === null || userId === '') return null;
    const user = await userPolicy.findById(String(userId));
    const refusal = userPolicy.refusal(token, user, 'userAuthenticationRule');
    if (refusal === 'password_changed') {
      if (settings.apps.blacklist) await token.blacklist();
      throw new AuthenticationFailed(messages.password_changed, 'password_changed');
    }
    if (refusal !== null) throw new AuthenticationFailed(messages.no_active_account, 'no_active_account');
    return user;
  }
}
