import type { BlacklistedTokenRecord } from '../apps';
import { RefreshTokenBlacklistedError } from '../errors';
import { markPackagePrototype, type RevocationChecks, type Token } from './token';

/** A token with the blacklist methods (refresh and sliding tokens, and classes derived from them). */
export interface BlacklistableToken extends Token {
  /** Throws `RefreshTokenBlacklistedError('Token is blacklisted')` when blacklisted. */
  checkBlacklist(): Promise<void>;
  /** Blacklists this token; idempotent. Resolves to `[BlacklistedToken, created]`. */
  blacklist(): Promise<[BlacklistedTokenRecord, boolean]>;
}

// TypeScript's mixin pattern requires a constructor of `any[]`; the classes made here are the public ones.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type TokenBase = abstract new (...args: any[]) => Token;

/**
 * Simple JWT's `BlacklistMixin`, applied to `RefreshToken` and
 * `SlidingToken`: with the blacklist app on, `forUser` records the token
 * as outstanding, `verify()` checks the blacklist, and `blacklist()` /
 * `checkBlacklist()` exist. Tokens without it (`AccessToken`,
 * `UntypedToken`) have no blacklist methods.
 *
 * @example
 * class RefreshToken extends BlacklistMixin(Token) { ... }
 */
export function BlacklistMixin<TBase extends TokenBase>(Base: TBase) {
  abstract class Blacklistable extends Base implements BlacklistableToken {
    /** BlacklistMixin: throws `RefreshTokenBlacklistedError('Token is blacklisted')` when blacklisted. */
    async checkBlacklist(): Promise<void> {
      if (await this.sj.revocation.isBlacklisted(this.jti())) throw new RefreshTokenBlacklistedError('Token is blacklisted');
    }

    /** BlacklistMixin: blacklists this token; idempotent. Resolves to `[BlacklistedToken, created]`. */
    async blacklist(): Promise<[BlacklistedTokenRecord, boolean]> {
      return this.sj.revocation.blacklist(this);
    }

    /** The stored checks of `verify()`: the base class's, and the blacklist when the app is on. */
    override revocationChecks(): RevocationChecks {
      return { ...super.revocationChecks(), blacklist: this.sj.settings.apps.blacklist };
    }

    /** Recorded as outstanding (with the blacklist app on) and stored with its user id. */
    override get recorded(): boolean {
      return true;
    }
  }
  markPackagePrototype(Blacklistable.prototype);
  return Blacklistable;
}
