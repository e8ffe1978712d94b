import { createHash, randomUUID } from 'node:crypto';
import { parseDuration, parseSignedDuration, type Duration } from '../duration';
import { ExpiredTokenError, TokenBackendExpiredToken, TokenError } from '../errors';
import type { Request } from 'express';
import type { BlacklistedTokenFamilyRecord, BlacklistedTokenRecord, OutstandingTokenRecord, TokenState } from '../types/apps';
import type { TokenBackend } from '../backend';
import type { Payload } from '../types/jwt';
import type { ResolvedSettings } from '../settings';

/** Options of the token constructor. */
export interface TokenOptions {
  /** Run the checks that need no I/O (signature, `exp`, `jti`, type). Default true. */
  verify?: boolean;
}

/**
 * The storage operations of tokens (the blacklist and family apps, behind
 * the cache): `SimpleJWT`'s revocation service implements them.
 */
export interface TokenRevocation {
  /** Records the token as outstanding; null when the blacklist app is off. */
  outstand(token: Token): Promise<[OutstandingTokenRecord, boolean] | null>;
  /** Blacklists the token (idempotent). */
  blacklist(token: Token): Promise<[BlacklistedTokenRecord, boolean]>;
  /** Records the family the token starts (`expiresAt`: null for none). */
  createFamily(token: Token, expiresAt: Date | null): Promise<void>;
  /** Blacklists the family `familyId` of the token (idempotent). */
  blacklistFamily(token: Token, familyId: string): Promise<[BlacklistedTokenFamilyRecord, boolean]>;
}

/** Options of the full check of a presented token. */
export interface CheckOptions {
  /** The request the token came with (given to the `isRevoked` hook). */
  req?: Request;
  /** The stored checks to make; by default the token class's (`revocationChecks()`). */
  checks?: RevocationChecks;
}

/** The checks of a presented token, as tokens reach them: `SimpleJWT`'s validation service implements them. */
export interface TokenChecks {
  /** What storage holds about the token for `checks` (default: its class's), in one round trip. */
  tokenState(token: Token, checks?: RevocationChecks): Promise<TokenState>;
  /** The full check (signature, claims, stored state, `isRevoked`); resolves to the stored state. */
  check(token: Token, options?: CheckOptions): Promise<TokenState>;
}

/** How tokens read a user (for `forUser`): the user policy implements it. */
export interface TokenUserPolicy {
  /** The user's id as tokens carry it (always a string). */
  userIdOf(user: unknown, field?: string): string;
  /** The user's stored password hash (for checkRevokeToken). */
  passwordHashOf(user: unknown): string;
}

/**
 * What a token class is bound to: the settings, the signing backend, the
 * clock, the services tokens call into (revocation, validation, user
 * policy), and the class binder. A `SimpleJWT` is one; the token layer
 * knows nothing else of it.
 */
export interface TokenHost {
  readonly settings: ResolvedSettings;
  readonly backend: TokenBackend;
  /** The clock every token of the instance reads. */
  now(): Date;
  readonly revocation: TokenRevocation;
  readonly validation: TokenChecks;
  readonly userPolicy: TokenUserPolicy;
  /** `cls` bound to this host: the same class for the same `cls` every time. */
  bind<C extends typeof Token>(cls: C): C;
}

/** The stored checks of a token: its blacklist entry, its family's. */
export interface RevocationChecks {
  /** Check the jti against the blacklist (BlacklistMixin's tokens, with the blacklist app on). */
  blacklist: boolean;
  /** Check the family (FamilyMixin's tokens, with token families on). */
  family: boolean;
}

/**
 * Decoded tokens whose signature is not checked yet (decoded with
 * `verify: false`, or before their JWKS key was known): `verifySignature()` checks it.
 * Kept outside the class so the mixins' class types stay public.
 */
const SIGNATURE_UNCHECKED = new WeakSet<object>();

/** Whether `token`'s signature is still to be checked (`verifySignature()` has work to do). */
export function isSignatureUnchecked(token: Token): boolean {
  return SIGNATURE_UNCHECKED.has(token);
}

/** A token class (bound or not), as the factory methods see it. */
export type TokenClass<T extends Token = Token> = (new (token?: string | null, options?: TokenOptions) => T) & Omit<typeof Token, 'prototype'>;

/**
 * An id storage can take (docs/production.md, "Hostile tokens"): a non-empty string of at most 255
 * characters (the varchar of the jti and family_id columns) with no control
 * characters or lone surrogates. Simple JWT's are 32 hex characters.
 */
const STORABLE_ID = /^[^\p{Cc}\p{Cs}]{1,255}$/u;

/** Whether a jti or family id claim is one storage can take. */
export function isStorableId(value: unknown): value is string {
  return typeof value === 'string' && STORABLE_ID.test(value);
}

/** A user id claim the user_id column can take: null, a number (Simple JWT keeps integer ids), or a storable string. */
function isStorableUserId(value: unknown): boolean {
  return value === null || typeof value === 'number' || isStorableId(value);
}

/** uuid4 as 32 hex characters, as Python's `uuid4().hex`. */
export function uuidHex(): string {
  return randomUUID().replace(/-/g, '');
}

/** Seconds since the epoch, truncated as Simple JWT's `datetime_to_epoch`. */
export function toEpoch(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Uppercase hex MD5 of a password hash: the `hash_password` claim of checkRevokeToken. */
export function md5PasswordHash(passwordHash: string): string {
  return createHash('md5').update(passwordHash).digest('hex').toUpperCase();
}

/**
 * A JSON web token: its claims (`payload`) and the rules that apply to them.
 * Use the classes bound to an instance (`sj.AccessToken`, `sj.RefreshToken`, …);
 * the base classes exported by the package exist to be subclassed.
 *
 * @example
 * const refresh = await sj.RefreshToken.forUser(user);
 * const body = { refresh: String(refresh), access: String(refresh.accessToken) };
 */
export class Token {
  /** The `token_type` claim this class issues and accepts. */
  static tokenType: string | null = null;
  /** Lifetime override (seconds or a duration string); by default the class's setting. */
  static lifetime?: Duration;
  /** The setting that holds this class's lifetime. */
  protected static lifetimeSetting?: keyof ResolvedSettings;
  /** The instance this class is bound to (set by `sj.bind()`). */
  static sj?: TokenHost;
  /** FamilyMixin: whether `verify()` checks the token family. */
  protected static familyChecked(_settings: ResolvedSettings): boolean {
    return false;
  }

  /** The encoded token this object was decoded from, or null for a new one. */
  readonly token: string | null;
  /** When this object was made: the base of new `exp`/`iat` claims and of checks. */
  readonly currentTime: Date;
  /** The claims. */
  payload: Payload;

  constructor(token?: string | null, options: TokenOptions = {}) {
    const cls = this.constructor as typeof Token;
    // Checked before the binding: the base Token, bound or not, is a TokenError as in Simple JWT.
    const lifetime = cls.tokenType === null ? undefined : cls.lifetimeSeconds();
    if (lifetime === undefined) throw new TokenError('Cannot create token with no type or lifetime');
    const sj = boundInstance(cls);
    this.token = token ?? null;
    this.currentTime = sj.now();

    if (token !== undefined && token !== null) {
      const verify = options.verify ?? true;
      if (typeof token !== 'string') throw new TokenError('Token is invalid');
      // With jwkUrl the key may still have to be fetched: then verify() checks the signature.
      const { payload, verified } = translateBackendErrors(() =>
        verify ? sj.backend.decodeIfKeyAtHand(token, this.currentTime) : { payload: sj.backend.decode(token, false), verified: false },
      );
      this.payload = payload;
      if (!verified) SIGNATURE_UNCHECKED.add(this);
      if (verify) this.checkClaims();
    } else {
      const { tokenTypeClaim } = sj.settings;
      this.payload = Object.create(null);
      if (tokenTypeClaim !== null) this.payload[tokenTypeClaim] = cls.tokenType;
      this.setExp('exp', this.currentTime, lifetime);
      this.setIat('iat', this.currentTime);
      this.setJti();
    }
  }

  /** Lifetime in seconds: the class override, else its setting. */
  static lifetimeSeconds(): number | undefined {
    if (this.lifetime !== undefined) return parseDuration(this.lifetime);
    if (this.lifetimeSetting === undefined) return undefined;
    return boundInstance(this).settings[this.lifetimeSetting] as number;
  }

  /** The bound instance. */
  get sj(): TokenHost {
    return boundInstance(this.constructor as typeof Token);
  }

  /** A claim, or `fallback` when absent. */
  get<T = unknown>(claim: string, fallback?: T): T | undefined {
    return Object.prototype.hasOwnProperty.call(this.payload, claim) ? (this.payload[claim] as T) : fallback;
  }

  set(claim: string, value: unknown): this {
    this.payload[claim] = value;
    return this;
  }

  delete(claim: string): boolean {
    return delete this.payload[claim];
  }

  has(claim: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.payload, claim);
  }

  /** The signed, encoded token. */
  toString(): string {
    return this.sj.backend.encode(this.payload);
  }

  toJSON(): string {
    return this.toString();
  }

  /**
   * The full check: the signature (when decoding deferred it), `checkClaims()`,
   * the stored checks of the enabled apps in one round trip, and the
   * `isRevoked` hook. A one-line call into the validation service
   * (`sj.validation.check(token)`), which the strategies, serializers and
   * views call themselves.
   */
  async verify(): Promise<void> {
    await this.sj.validation.check(this);
  }

  /** Checks the signature when decoding deferred it (`verify: false`, or a JWKS key not yet fetched); else nothing. */
  async verifySignature(): Promise<void> {
    if (!SIGNATURE_UNCHECKED.has(this) || this.token === null) return;
    await this.sj.backend.prepareKey(this.token);
    const raw = this.token;
    translateBackendErrors(() => this.sj.backend.decode(raw, true, this.currentTime));
    SIGNATURE_UNCHECKED.delete(this);
  }

  /**
   * The stored checks `verify()` makes: none here; the family where
   * FamilyMixin's rules apply (`familyChecked`), and the blacklist on
   * BlacklistMixin's tokens.
   */
  revocationChecks(): RevocationChecks {
    return { blacklist: false, family: (this.constructor as typeof Token).familyChecked(this.sj.settings) };
  }

  /** Whether the blacklist app records this token (BlacklistMixin's tokens): then `forUser` records it and its user id must fit the column. */
  get recorded(): boolean {
    return false;
  }

  /** The checks that need no I/O: `exp`, `jti`, type, family expiry. Run by the constructor. */
  checkClaims(): void {
    // exp is required: no zombie tokens without expiry.
    this.checkExp();
    const { jtiClaim, tokenTypeClaim, tokenFamilyClaim, userIdClaim, apps } = this.sj.settings;
    if (jtiClaim !== null) {
      if (!this.has(jtiClaim)) throw new TokenError('Token has no id');
      if (!isStorableId(this.payload[jtiClaim])) throw new TokenError('Token is invalid');
    }
    // A family id that is not one would skip the family checks: refused wherever families are stored.
    if (apps.tokenFamily && this.has(tokenFamilyClaim) && !isStorableId(this.payload[tokenFamilyClaim])) throw new TokenError('Token is invalid');
    // Refresh and sliding tokens are recorded with their user id: it must fit the user_id column.
    if (this.recorded && (apps.blacklist || apps.tokenFamily) && this.has(userIdClaim) && !isStorableUserId(this.payload[userIdClaim])) {
      throw new TokenError('Token is invalid');
    }
    if (tokenTypeClaim !== null) this.verifyTokenType();
    if ((this.constructor as typeof Token).familyChecked(this.sj.settings)) this.checkFamilyExp();
  }

  verifyTokenType(): void {
    const claim = this.sj.settings.tokenTypeClaim;
    if (claim === null) return;
    if (!this.has(claim)) throw new TokenError('Token has no type');
    if (this.payload[claim] !== (this.constructor as typeof Token).tokenType) throw new TokenError('Token has wrong type');
  }

  setJti(): void {
    const claim = this.sj.settings.jtiClaim;
    if (claim !== null) this.payload[claim] = uuidHex();
  }

  /**
   * Sets `claim` (default `exp`) to `fromTime` (default: when this object was
   * made) plus `lifetime` (default: the class's lifetime). The lifetime may
   * be zero or negative (`-60`, `'-1h'`): a token already expired, as a
   * negative timedelta in Simple JWT.
   */
  setExp(claim = 'exp', fromTime?: Date, lifetime?: Duration): void {
    const from = fromTime ?? this.currentTime;
    const seconds = lifetime === undefined ? (this.constructor as typeof Token).lifetimeSeconds() : parseSignedDuration(lifetime);
    if (seconds === undefined) throw new TypeError(`passport-simplejwt: invalid lifetime '${String(lifetime)}'`);
    this.payload[claim] = toEpoch(new Date(from.getTime() + seconds * 1000));
  }

  setIat(claim = 'iat', atTime?: Date): void {
    this.payload[claim] = toEpoch(atTime ?? this.currentTime);
  }

  /** Throws unless `claim` holds a time later than `currentTime` minus the leeway. */
  checkExp(claim = 'exp', currentTime?: Date): void {
    if (!this.has(claim)) throw new TokenError(`Token has no '${claim}' claim`);
    const value = this.payload[claim];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new TokenError('Token is invalid');
    const now = (currentTime ?? this.currentTime).getTime() / 1000;
    if (value <= now - this.sj.settings.leeway) throw new TokenError(`Token '${claim}' claim has expired`);
  }

  /**
   * Records this token as outstanding. Resolves to `[row, created]`, or to
   * null without touching storage when the blacklist app is off (as
   * `forUser` then records nothing). A one-line call into the revocation
   * service (`sj.revocation.outstand(token)`).
   */
  async outstand(): Promise<[OutstandingTokenRecord, boolean] | null> {
    return this.sj.revocation.outstand(this);
  }

  /** The `family_id` claim, or null for a token minted without families. */
  getFamilyId(): string | null {
    const value = this.get(this.sj.settings.tokenFamilyClaim);
    return typeof value === 'string' && value !== '' ? value : null;
  }

  /** The `family_exp` claim as a Date, or null when the family never expires. */
  getFamilyExpirationDate(): Date | null {
    const value = this.get(this.sj.settings.tokenFamilyExpirationClaim);
    return typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000) : null;
  }

  /** FamilyMixin: throws when the family's `family_exp` has passed. */
  checkFamilyExp(): void {
    if (this.getFamilyId() === null) return;
    const claim = this.sj.settings.tokenFamilyExpirationClaim;
    if (!this.has(claim)) return; // a family with no expiry
    try {
      this.checkExp(claim);
    } catch {
      throw new TokenError('Token family has expired');
    }
  }

  /**
   * FamilyMixin: throws when storage holds the family as blacklisted (a
   * token without a family passes). Asks the validation service's
   * `tokenState` for the family only; `verify()` does not call it (see
   * the `isRevoked` setting to customise what `verify()` refuses).
   */
  async checkFamilyBlacklist(): Promise<void> {
    const state = await this.sj.validation.tokenState(this, { blacklist: false, family: true });
    if (state.familyBlacklisted) throw new TokenError('Token family is blacklisted');
  }

  /** The jti claim as a string (throws `Token has no id` when absent). */
  jti(): string {
    const claim = this.sj.settings.jtiClaim ?? 'jti';
    const value = this.get(claim);
    if (typeof value !== 'string' && typeof value !== 'number') throw new TokenError('Token has no id');
    return String(value);
  }

  /**
   * A new token for `user`, with the user id claim (always a string) and,
   * with checkRevokeToken, the password-hash claim. With the blacklist app
   * on, refresh and sliding tokens are recorded as outstanding (through the
   * revocation service, as `outstand()`).
   */
  static async forUser<T extends Token>(this: TokenClass<T>, user: unknown): Promise<T> {
    const sj = boundInstance(this as unknown as typeof Token);
    const token = new this();
    const { userIdField, userIdClaim, checkRevokeToken, revokeTokenClaim } = sj.settings;
    token.set(userIdClaim, sj.userPolicy.userIdOf(user, userIdField));
    if (checkRevokeToken) token.set(revokeTokenClaim, md5PasswordHash(sj.userPolicy.passwordHashOf(user)));
    await (this as unknown as typeof Token).afterCreateForUser(token, user);
    if (token.recorded && sj.settings.apps.blacklist) await token.outstand();
    return token;
  }

  /** Hook for subclasses that add claims in `forUser` before the token is recorded. */
  protected static async afterCreateForUser(_token: Token, _user: unknown): Promise<void> {}
}

/** Backend errors as the token layer reports them: expired, or invalid. */
function translateBackendErrors<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof TokenBackendExpiredToken) throw new ExpiredTokenError('Token is expired', err);
    throw new TokenError('Token is invalid', err);
  }
}

/** The instance a class is bound to, or a clear error for the unbound base classes. */
export function boundInstance(cls: typeof Token): TokenHost {
  const sj = cls.sj;
  if (!sj) throw new TypeError(`passport-simplejwt: ${cls.name} is not bound to a SimpleJWT instance; use sj.${cls.name} or a subclass of it`);
  return sj;
}
