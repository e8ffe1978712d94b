import type { BlacklistedTokenRecord } from '../types/apps';
import { RefreshTokenBlacklistedError } from '../errors';
import type { RevocationChecks, Token } from './token';

/** The methods `BlacklistMixin` adds to a token class. */
export interface BlacklistMethods {
  /** Throws `RefreshTokenBlacklistedError('Token is blacklisted')` when storage holds the token as blacklisted. */
  checkBlacklist(): Promise<void>;
  /** Blacklists this token; idempotent. Resolves to `[BlacklistedToken, created]` (a one-line call into `sj.revocation.blacklist`). */
  blacklist(): Promise<[BlacklistedTokenRecord, boolean]>;
}

/** A token with the blacklist methods (refresh and sliding tokens, and classes derived from them). */
export type BlacklistableToken = Token & BlacklistMethods;

// TypeScript's mixin pattern requires constructors of `any[]` (the token constructor's own arguments stay typed by `TBase`).
/* eslint-disable @typescript-eslint/no-explicit-any */
type TokenBase = abstract new (...args: any[]) => Token;

/** `Base` with the blacklist methods: its statics and instances, plus `BlacklistMethods`. */
export type WithBlacklist<TBase extends TokenBase> = TBase & (abstract new (...args: any[]) => BlacklistMethods);
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * Simple JWT's `BlacklistMixin`, applied to `RefreshToken` and
 * `SlidingToken`: with the blacklist app on, `forUser` records the token
 * as outstanding, `verify()` checks the blacklist, and `blacklist()` /
 * `checkBlacklist()` exist (one-line calls into the services; `verify()`
 * does not call `checkBlacklist()`: customise it with `isRevoked`). Tokens without it (`AccessToken`,
 * `UntypedToken`) have no blacklist methods.
 *
 * @example
 * class RefreshToken extends BlacklistMixin(Token) { ... }
 */
export function BlacklistMixin<TBase extends TokenBase>(Base: TBase): WithBlacklist<TBase> {
  abstract class Blacklistable extends Base implements BlacklistMethods {
    /** BlacklistMixin: throws `RefreshTokenBlacklistedError('Token is blacklisted')` when storage holds it as blacklisted (the validation service's `tokenState`, blacklist only). */
    async checkBlacklist(): Promise<void> {
      const state = await this.sj.validation.tokenState(this, { blacklist: true, family: false });
      if (state.blacklisted) throw new RefreshTokenBlacklistedError('Token is blacklisted', undefined, state);
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
  return Blacklistable;
}
