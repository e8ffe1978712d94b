import type { Request } from 'express';
import type { TokenState } from '../types/apps';
import { AuthenticationFailed, InvalidToken, RefreshTokenBlacklistedError, TokenError, type TokenClassMessage } from '../errors';
import type { IsRevoked, ResolvedSettings } from '../settings';
import type { BlacklistableToken } from '../tokens/blacklist-mixin';
import { RefreshToken } from '../tokens/refresh-token';
import { SlidingToken } from '../tokens/sliding-token';
import { isSignatureUnchecked, Token, type CheckOptions, type RevocationChecks, type TokenChecks, type TokenClass } from '../tokens/token';
import { UntypedToken } from '../tokens/untyped-token';
import { NOTHING_STORED, type Revocation } from './revocation';
import type { UserPolicy } from './user-policy';

/** What the pipeline is built from (`SimpleJWT` passes its own). */
export interface TokenValidationDeps<U> {
  readonly settings: ResolvedSettings;
  readonly revocation: Revocation;
  readonly userPolicy: UserPolicy<U>;
  /** The `isRevoked` setting: decides, from the stored state, whether a presented token is refused. */
  readonly isRevoked?: IsRevoked;
  /** Bounds the `isRevoked` hook by `storageTimeout` (a late or failing answer is `ServiceUnavailable`, a bug a `ServerError`). */
  storage<T>(work: Promise<T>): Promise<T>;
  /** The instance's class for `cls`. */
  bind<C extends typeof Token>(cls: C): C;
}

/** The package's answer without an `isRevoked` setting: what storage holds (the blacklist, the family). */
function storedRevocation(state: TokenState): boolean {
  return state.blacklisted || state.familyBlacklisted;
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
 * 2. stored checks: blacklist, family and rotation in one round trip
 *    (`tokenState`), then the `isRevoked` setting decides (`check`);
 * 3. user: exists, active, password unchanged (the user policy).
 *
 * Each step is a method, so a serializer with its own branch between two
 * steps (the refresh's reuse of a blacklisted token) still uses the same
 * steps. `token.verify()`, `checkBlacklist()` and `checkFamilyBlacklist()`
 * are one-line calls into `check` and `tokenState`: there is no other path.
 */
export class TokenValidation<U = unknown> implements TokenChecks {
  private readonly deps: TokenValidationDeps<U>;

  constructor(deps: TokenValidationDeps<U>) {
    this.deps = deps;
  }

  /** Step 1: the token of class `Cls` decoded from `raw`, its I/O-free checks passed (throws `TokenError`). */
  decode<T extends Token>(Cls: TokenClass<T>, raw: string): T {
    return new Cls(raw);
  }

  /**
   * What storage holds about `token` for `checks` (by default its class's:
   * the blacklist for refresh and sliding tokens with the blacklist app on,
   * the family where the family rules apply): one round trip, the cache's
   * positive entries first. Asking a check of an app that is off throws a
   * `TypeError` naming the setting.
   *
   * @example
   * const { blacklisted, familyBlacklisted, rotation } = await sj.validation.tokenState(refresh);
   */
  async tokenState(token: Token, checks: RevocationChecks = token.revocationChecks()): Promise<TokenState> {
    const { revocation } = this.deps;
    const jti = checks.blacklist ? token.jti() : null;
    const familyId = checks.family ? token.getFamilyId() : null; // null: minted before families were on
    if (jti !== null) void revocation.blacklistApp;
    if (familyId !== null) void revocation.familyApp;
    if (jti === null && familyId === null) return NOTHING_STORED;
    return revocation.tokenState(jti, familyId);
  }

  /**
   * Steps 1 and 2 of the token's own class: the deferred signature, the
   * claims, the stored state (`tokenState`), then the decision: the
   * `isRevoked` setting when given, else blacklisted or family blacklisted.
   * Resolves to the stored state; a refused token throws
   * `RefreshTokenBlacklistedError` (blacklisted; it carries the state),
   * `TokenError('Token family is blacklisted')`, or `TokenError('Token is
   * revoked')` (refused by the hook alone).
   *
   * @example
   * const state = await sj.validation.check(token, { req });
   */
  async check(token: Token, options: CheckOptions = {}): Promise<TokenState> {
    await token.verifySignature();
    token.checkClaims();
    const checks = options.checks ?? token.revocationChecks();
    const state = await this.tokenState(token, checks);
    const revoked = await this.revoked(token, state, options.req);
    if (revoked && state.blacklisted) throw new RefreshTokenBlacklistedError('Token is blacklisted', undefined, state);
    // Claims checked it already where the class has family rules; the verify view's any-type token checks it here, after its blacklist.
    if (checks.family) token.checkFamilyExp();
    if (revoked && state.familyBlacklisted) throw new TokenError('Token family is blacklisted');
    if (revoked) throw new TokenError('Token is revoked');
    return state;
  }

  /** The decision: the `isRevoked` setting (bounded by `storageTimeout`; it must answer a boolean), else the stored state. */
  private async revoked(token: Token, state: TokenState, req: Request | undefined): Promise<boolean> {
    const hook = this.deps.isRevoked;
    if (!hook) return storedRevocation(state);
    const answer: unknown = await this.deps.storage(Promise.resolve().then(() => hook(token, state, req)));
    if (typeof answer !== 'boolean')
      throw new TypeError(`passport-simplejwt: 'isRevoked' must answer true or false (or a promise of one); it answered ${String(answer)}`);
    return answer;
  }

  /** Steps 1 and 2: a token of class `Cls`, fully checked. */
  async validate<T extends Token>(Cls: TokenClass<T>, raw: string, req?: Request): Promise<T> {
    const token = this.decode(Cls, raw);
    await this.check(token, { req });
    return token;
  }

  /**
   * Steps 1 and 2 against several classes (`authTokenClasses`): the first
   * that accepts the token; else `InvalidToken` with each class's message.
   */
  async validateFirst(classes: ReadonlyArray<TokenClass>, raw: string, req?: Request): Promise<Token> {
    const messages: TokenClassMessage[] = [];
    for (const TokenCls of classes) {
      try {
        return await this.validate(TokenCls, raw, req);
      } catch (err) {
        if (!(err instanceof TokenError)) throw err;
        messages.push({ token_class: TokenCls.name, token_type: TokenCls.tokenType, message: err.message });
      }
    }
    throw new InvalidToken('Given token not valid for any token type', messages);
  }

  /**
   * `validateFirst` without waiting, when no step needs I/O (issue #25): the signature checked
   * at decode, no stored check for the token, no `isRevoked` hook. The same token or the same
   * error as `validateFirst`, steps in the same order; undefined as soon as a step would need
   * I/O (a JWKS key not fetched, a blacklist or family to ask): then `validateFirst` decides.
   */
  validateFirstNow(classes: ReadonlyArray<TokenClass>, raw: string): Token | undefined {
    if (this.deps.isRevoked) return undefined;
    const messages: TokenClassMessage[] = [];
    for (const TokenCls of classes) {
      try {
        const token = this.decode(TokenCls, raw);
        if (isSignatureUnchecked(token) || token.verifySignature !== Token.prototype.verifySignature) return undefined;
        // As check(): the claims, then the stored state, which is nothing without a jti or family to ask.
        token.checkClaims();
        const checks = token.revocationChecks();
        if (checks.blacklist || (checks.family && token.getFamilyId() !== null)) return undefined;
        if (checks.family) token.checkFamilyExp();
        return token;
      } catch (err) {
        if (!(err instanceof TokenError)) throw err;
        messages.push({ token_class: TokenCls.name, token_type: TokenCls.tokenType, message: err.message });
      }
    }
    throw new InvalidToken('Given token not valid for any token type', messages);
  }

  /**
   * Steps 1 and 2 for a token of any type (the verify view): signature and
   * expiry; the stored checks of its type, through `check`: a blacklisted
   * refresh or sliding token throws `RefreshTokenBlacklistedError`; with
   * token families, an expired or blacklisted family throws `TokenError`.
   */
  async validateAnyType(raw: string, req?: Request): Promise<Token> {
    const { apps, tokenTypeClaim, jtiClaim, tokenFamilyEnabled } = this.deps.settings;
    const token = this.decode(this.deps.bind(UntypedToken), raw);
    const type = tokenTypeClaim === null ? undefined : token.get(tokenTypeClaim);
    const blacklistable = type === this.deps.bind(RefreshToken).tokenType || type === this.deps.bind(SlidingToken).tokenType;
    const family = tokenFamilyEnabled && apps.tokenFamily;
    await this.check(token, { req, checks: { blacklist: apps.blacklist && jtiClaim !== null && blacklistable, family } });
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
