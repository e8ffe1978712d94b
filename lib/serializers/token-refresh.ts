import type { Request } from 'express';
import type { TokenRotationRecord } from '../types/apps';
import { RefreshTokenBlacklistedError, TokenError } from '../errors';
import { RefreshToken } from '../tokens/refresh-token';
import type { FieldSpec } from './fields';
import { Serializer, type SerializerContext } from './serializer';
import { USER_RECHECK_MESSAGES } from './user-recheck';

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
 * 4. with `refreshTokenReuseInterval`, presenting a consumed token again
 *    within the interval (its immediate predecessor only) answers the same
 *    successor and a fresh access token, and blacklists nothing.
 *
 * The protected methods are the seams for custom rotation (`rotate`,
 * `mintSuccessor`, `consume`) and for the reuse interval (`reuseSuccessor`, `onRotated`).
 *
 * @example
 * app.use('/api/token/refresh/', tokenRefreshRouter(sj));
 * // POST {"refresh": "<token>"} → {"access": "...", "refresh": "..."}
 */
export class TokenRefreshSerializer<U = unknown> extends Serializer<U> {
  static tokenClass: typeof RefreshToken = RefreshToken;
  static override defaultErrorMessages: Readonly<Record<string, string>> = USER_RECHECK_MESSAGES;

  override get fields(): ReadonlyArray<FieldSpec> {
    return [{ name: 'refresh' }];
  }

  /** The request's deadline (see {@link SerializerContext.deadline}), which the rotation's write keeps. */
  protected deadline?: number;
  /** The request (given to the `isRevoked` hook when the successor of a retry is checked). */
  protected req?: Request;

  override async validate(data: unknown, context: SerializerContext = {}): Promise<TokenRefreshBody> {
    this.deadline = context.deadline;
    this.req = context.req;
    const attrs = this.parse(data);
    const Cls = this.bound((this.constructor as typeof TokenRefreshSerializer).tokenClass);
    const refresh = this.sj.validation.decode(Cls, attrs.refresh);
    try {
      await this.sj.validation.check(refresh, { req: context.req });
    } catch (err) {
      // The check's one round trip read the rotation that consumed the token: the reuse interval needs it.
      if (err instanceof RefreshTokenBlacklistedError) return this.reused(refresh, err.state?.rotation ?? null);
      throw err;
    }
    await this.checkUser(refresh);
    const body: TokenRefreshBody = { access: String(refresh.accessToken) };
    const { rotateRefreshTokens, blacklistAfterRotation, apps } = this.sj.settings;
    if (rotateRefreshTokens) {
      const successor = await this.rotate(refresh);
      body.refresh = encoded(successor);
    }
    // The session's last use (at most once a minute); a consuming rotation wrote it in its own transaction.
    if (!(rotateRefreshTokens && blacklistAfterRotation && apps.blacklist)) await this.sj.sessions.used(refresh);
    return body;
  }

  /**
   * The user the token stands for, checked again: deleted or inactive →
   * 401 `no_active_account`; with `checkRevokeToken`, a changed password →
   * the token is blacklisted (blacklist app on) and 401 `password_changed`.
   * Skipped (null) when the instance has no user store or the token no user id.
   */
  protected async checkUser(refresh: RefreshToken): Promise<U | null> {
    return this.sj.validation.renewalUser(refresh, this.errorMessages);
  }

  /**
   * Rotation: mints the successor (a new `jti`, `exp` and `iat`; other
   * claims, the family ones included, kept), then, with
   * `blacklistAfterRotation`, consumes the presented token and records the
   * successor in one atomic step: of concurrent refreshes of one token
   * exactly one wins; the others are reuse, or benign retries within
   * `refreshTokenReuseInterval` answered with the winner's successor.
   * Without it the successor is only recorded as outstanding (blacklist app on).
   */
  protected async rotate(refresh: RefreshToken): Promise<RefreshToken> {
    const { blacklistAfterRotation, apps } = this.sj.settings;
    const successor = this.mintSuccessor(refresh);
    if (blacklistAfterRotation && apps.blacklist) {
      if (!(await this.consume(refresh, successor))) {
        // Another request consumed this token first: reuse, unless it is a benign retry.
        const retry = await this.reuseSuccessor(refresh);
        if (retry) return retry;
        await this.blacklistFamilyOnReuse(refresh);
        throw new RefreshTokenBlacklistedError();
      }
    } else if (apps.blacklist) {
      await successor.outstand();
    }
    await this.onRotated(refresh.jti(), successor);
    return successor;
  }

  /**
   * The token `refresh` rotates into: its claims with a new `jti`, `exp`
   * (from now) and `iat`, encoded once, so the string recorded as outstanding
   * is the one the client gets (ES and PS signatures differ at each signing).
   */
  protected mintSuccessor(refresh: RefreshToken): RefreshToken {
    const Cls = refresh.constructor as typeof RefreshToken;
    const draft = new Cls();
    for (const claim of Object.keys(refresh.payload)) draft.payload[claim] = refresh.payload[claim];
    draft.setJti();
    draft.setExp();
    draft.setIat();
    return new Cls(String(draft), { verify: false });
  }

  /**
   * Consumes the presented token: blacklists it and records `successor`,
   * atomically (`sj.revocation.rotate`), resolving to whether this call did so.
   * The database decides (a unique constraint), so of concurrent refreshes
   * of one token, in any number of processes, exactly one gets `true`.
   */
  protected async consume(refresh: RefreshToken, successor: RefreshToken): Promise<boolean> {
    return this.sj.revocation.rotate(refresh, successor, this.deadline);
  }

  /**
   * The reuse interval (`refreshTokenReuseInterval`): when an already
   * consumed token is presented again, its recorded successor if this is a
   * benign retry, else null (reuse). A retry is the immediate predecessor
   * (its successor was not rotated in turn) presented at most
   * `refreshTokenReuseInterval` seconds after the rotation, and its
   * successor still passes the full check (not blacklisted, family alive).
   * `known`: the rotation the check already read (null: none read, e.g. a
   * cached blacklist answer; then it is asked for here).
   */
  protected async reuseSuccessor(refresh: RefreshToken, known: TokenRotationRecord | null = null): Promise<RefreshToken | null> {
    const interval = this.sj.settings.refreshTokenReuseInterval;
    if (interval <= 0) return null;
    const rotation = known ?? (await this.sj.revocation.successorOf(refresh.jti()));
    if (rotation === null || rotation.successorRotated) return null;
    const elapsed = (this.sj.now().getTime() - rotation.rotatedAt.getTime()) / 1000;
    if (elapsed > interval) return null;
    const Cls = refresh.constructor as typeof RefreshToken;
    try {
      return await this.sj.validation.validate(Cls, rotation.successor, this.req);
    } catch (err) {
      if (err instanceof TokenError) return null; // the successor is no longer good: reuse
      throw err;
    }
  }

  /** Called after a rotation with the consumed token's jti and its successor (a hook for subclasses; the storage already recorded the pair). */
  protected async onRotated(_previousJti: string, _successor: RefreshToken): Promise<void> {}

  /** A blacklisted token was presented: a benign retry gets its successor, anything else is reuse. */
  private async reused(refresh: RefreshToken, known: TokenRotationRecord | null): Promise<TokenRefreshBody> {
    const successor = await this.reuseSuccessor(refresh, known);
    if (successor) {
      await this.checkUser(successor);
      return { access: String(successor.accessToken), refresh: encoded(successor) };
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

/** A token as the client gets it: the string it was decoded from, else signed now. */
function encoded(token: RefreshToken): string {
  return token.token ?? String(token);
}
