import { createHash, randomUUID } from 'node:crypto';
import { parseDuration, parseSignedDuration, type Duration } from '../duration';
import { ExpiredTokenError, RefreshTokenBlacklistedError, TokenBackendExpiredToken, TokenError } from '../errors';
import type { BlacklistedTokenFamilyRecord, BlacklistedTokenRecord, OutstandingTokenRecord, TokenRotationRecord, TokenState } from '../apps';
import type { TokenBackend } from '../backend';
import type { Payload } from '../jwt-types';
import type { ResolvedSettings } from '../settings';

/** Options of the token constructor. */
export interface TokenOptions {
  /** Run the checks that need no I/O (signature, `exp`, `jti`, type). Default true. */
  verify?: boolean;
}

/**
 * The revocation operations tokens use (the blacklist and family apps,
 * behind the cache): `SimpleJWT`'s revocation service implements them.
 */
export interface TokenRevocation {
  /** What storage holds about `jti` and `familyId` (either null: not asked), in one round trip. */
  tokenState(jti: string | null, familyId: string | null): Promise<TokenState>;
  /** Whether the jti is blacklisted. */
  isBlacklisted(jti: string): Promise<boolean>;
  /** Whether the family is blacklisted. */
  isFamilyBlacklisted(familyId: string): Promise<boolean>;
  /** Records the token as outstanding; null when the blacklist app is off. */
  outstand(token: Token): Promise<[OutstandingTokenRecord, boolean] | null>;
  /** Blacklists the token (idempotent). */
  blacklist(token: Token): Promise<[BlacklistedTokenRecord, boolean]>;
  /** Records a new family. */
  createFamily(familyId: string, userId: string | null, createdAt: Date, expiresAt: Date | null): Promise<void>;
  /** Blacklists the family `familyId` of the token (idempotent). */
  blacklistFamily(token: Token, familyId: string): Promise<[BlacklistedTokenFamilyRecord, boolean]>;
}

/**
 * What a token class is bound to: the settings, the signing backend, the
 * clock, the revocation operations, how a user's id and password hash are
 * read (for `forUser`), and the class binder. A `SimpleJWT` is one; the
 * token layer knows nothing else of it.
 */
export interface TokenHost {
  readonly settings: ResolvedSettings;
  readonly backend: TokenBackend;
  /** The clock every token of the instance reads. */
  now(): Date;
  readonly revocation: TokenRevocation;
  /** The user's id as tokens carry it (always a string). */
  userIdOf(user: unknown, field?: string): string;
  /** The user's stored password hash (for checkRevokeToken). */
  passwordHashOf(user: unknown): string;
  /** `cls` bound to this host: the same class for the same `cls` every time. */
  bind<C extends typeof Token>(cls: C): C;
}

/** The stored checks `verify()` makes for a token: its blacklist entry, its family's. */
export interface RevocationChecks {
  /** Check the jti against the blacklist (BlacklistMixin's tokens, with the blacklist app on). */
  blacklist: boolean;
  /** Check the family (FamilyMixin's tokens, with token families on). */
  family: boolean;
}

/**
 * Decoded tokens whose signature is not checked yet (decoded with
 * `verify: false`, or before their JWKS key was known): `verify()` checks it.
 * Kept outside the class so the mixins' class types stay public.
 */
const SIGNATURE_UNCHECKED = new WeakSet<object>();

/** The prototypes whose check methods are the package's own (not an app's customisation). */
const PACKAGE_PROTOTYPES = new WeakSet<object>();

/** Marks a prototype of the package (a mixin's) as one whose checks `verify()` may batch. */
export function markPackagePrototype(prototype: object): void {
  PACKAGE_PROTOTYPES.add(prototype);
}

/** Whether an app's subclass replaced the check `name` (then `verify()` calls it instead of batching). */
function overrides(cls: abstract new (...args: never[]) => unknown, name: 'checkBlacklist' | 'checkFamilyBlacklist'): boolean {
  for (let proto: object | null = cls.prototype as object; proto; proto = Object.getPrototypeOf(proto) as object | null) {
    if (Object.prototype.hasOwnProperty.call(proto, name)) return !PACKAGE_PROTOTYPES.has(proto);
  }
  return false;
}

/** Per token class, whether it replaced a stored check: read once, not on every `verify()` of the request path. */
const CUSTOMISED = new WeakMap<object, boolean>();

function customised(token: Token): boolean {
  const cls = token.constructor as typeof Token;
  let answer = CUSTOMISED.get(cls);
  if (answer === undefined) {
    answer = overrides(cls, 'checkBlacklist') || overrides(cls, 'checkFamilyBlacklist');
    CUSTOMISED.set(cls, answer);
  }
  return answer;
}

/** A token class (bound or not), as the factory methods see it. */
export type TokenClass<T extends Token = Token> = (new (token?: string | null, options?: TokenOptions) => T) & Omit<typeof Token, 'prototype'>;

/**
 * An id storage can take (SPEC 8): a non-empty string of at most 255
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
   * The full check: `checkClaims()` plus the blacklist and family checks of
   * the enabled apps. The strategies, serializers and views always call it.
   */
  async verify(): Promise<void> {
    if (SIGNATURE_UNCHECKED.has(this) && this.token !== null) {
      // Decoded without verification (or before its JWKS key was known): check the signature now.
      await this.sj.backend.prepareKey(this.token);
      const raw = this.token;
      translateBackendErrors(() => this.sj.backend.decode(raw, true, this.currentTime));
      SIGNATURE_UNCHECKED.delete(this);
    }
    this.checkClaims();
    const checks = this.revocationChecks();
    if (!checks.blacklist && !checks.family) return;
    if (customised(this)) {
      // A subclass customised a check: run the checks one by one, as it expects.
      if (checks.blacklist) await (this as Partial<{ checkBlacklist(): Promise<void> }>).checkBlacklist?.();
      if (checks.family) await this.checkFamilyBlacklist();
      return;
    }
    // Both checks (and the rotation the reuse interval needs) in one round trip.
    const state = await this.sj.revocation.tokenState(checks.blacklist ? this.jti() : null, checks.family ? this.getFamilyId() : null);
    if (state.blacklisted) {
      this.storedRotation = state.rotation;
      throw new RefreshTokenBlacklistedError('Token is blacklisted');
    }
    if (state.familyBlacklisted) throw new TokenError('Token family is blacklisted');
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

  /** The rotation that consumed this token, as `verify()` found it (undefined: not read). Internal: the reuse interval reads it. */
  storedRotation?: TokenRotationRecord | null;

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
   * `forUser` then records nothing).
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

  /** FamilyMixin: throws when the family is blacklisted. */
  async checkFamilyBlacklist(): Promise<void> {
    const familyId = this.getFamilyId();
    if (familyId === null) return; // minted before families were enabled
    if (await this.sj.revocation.isFamilyBlacklisted(familyId)) throw new TokenError('Token family is blacklisted');
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
   * on, refresh and sliding tokens are recorded as outstanding.
   */
  static async forUser<T extends Token>(this: TokenClass<T>, user: unknown): Promise<T> {
    const sj = boundInstance(this as unknown as typeof Token);
    const token = new this();
    const { userIdField, userIdClaim, checkRevokeToken, revokeTokenClaim } = sj.settings;
    token.set(userIdClaim, sj.userIdOf(user, userIdField));
    if (checkRevokeToken) token.set(revokeTokenClaim, md5PasswordHash(sj.passwordHashOf(user)));
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
markPackagePrototype(Token.prototype);
