import type { Request } from 'express';
import type { Sequelize } from 'sequelize';
import { Sema } from 'async-sema';
import type { BlacklistApp, FamilyApp, TokenRotationRecord } from './apps';
import { TokenBackend } from './backend';
import { failClosed } from './fail-closed';
import { withinDeadline } from './storage-deadline';
import { LoginThrottle, unthrottledAttempt, type LoginAttempt } from './login-throttle';
import type { BlacklistCache } from './cache/blacklist-cache';
import { MemoryBlacklistCache } from './cache/memory-cache';
import { DEFAULT_LOGGER, type Logger } from './logger';
import { configurationWarnings, resolveSettings, type ResolvedSettings, type SimpleJWTOptions } from './settings';
import { TokenUser } from './token-user';
import { AccessToken } from './tokens/access-token';
import { RefreshToken } from './tokens/refresh-token';
import { SlidingToken } from './tokens/sliding-token';
import { Token, type TokenClass } from './tokens/token';
import { UntypedToken } from './tokens/untyped-token';
import type { UserStore } from './user-store';
import type { AppStorage, StorageProvider, TokenState } from './storage';

// The package entry installs the Sequelize storage here: lib/ itself never imports models/.
let defaultStorage: StorageProvider | undefined;

/** Installs the storage the `sequelize` setting and `migrate()` use (the package entry does, with the Sequelize one). */
export function useDefaultStorage(provider: StorageProvider): void {
  defaultStorage = provider;
}

function requireDefaultStorage(): StorageProvider {
  if (!defaultStorage) throw new TypeError("passport-simplejwt: no storage installed; import the package entry ('passport-simplejwt')");
  return defaultStorage;
}

const NOTHING_STORED: TokenState = Object.freeze({ blacklisted: false, familyBlacklisted: false, rotation: null });

/** A class bound to one instance: same behaviour, its own settings and keys. */
function bindClass<C extends typeof Token>(base: C, sj: SimpleJWT): C {
  const Bound = class extends (base as typeof Token) {};
  Object.defineProperty(Bound, 'name', { value: base.name });
  Bound.sj = sj;
  return Bound as unknown as C;
}

export { failClosed } from './fail-closed';

function defaultIsActive(user: unknown): boolean {
  const u = user as { isActive?: unknown; is_active?: unknown } | null;
  const flag = u?.isActive ?? u?.is_active;
  return flag === undefined ? true : Boolean(flag);
}

/**
 * One configuration of the package: settings, keys, token classes, and the
 * apps' storage. Several instances can live in one process.
 *
 * @example
 * const sj = new SimpleJWT({ signingKey: process.env.JWT_SECRET!, users });
 * passport.use(new JWTStrategy(sj));
 * app.use('/api/token/', tokenRouter(sj));
 */
export class SimpleJWT<U = unknown> {
  readonly settings: ResolvedSettings;
  readonly backend: TokenBackend;
  readonly users?: UserStore<U>;
  readonly sequelize?: Sequelize;
  readonly cache: BlacklistCache;
  /** The clock every token of this instance reads. */
  readonly now: () => Date;
  /** Where unexpected errors and configuration warnings go (the `logger` setting; default `console`). */
  readonly logger: Logger;
  /** The options as given (serializer classes and hooks are read from here). */
  readonly options: Readonly<SimpleJWTOptions<U>>;

  readonly AccessToken: typeof AccessToken;
  readonly RefreshToken: typeof RefreshToken;
  readonly SlidingToken: typeof SlidingToken;
  readonly UntypedToken: typeof UntypedToken;
  /** The classes a request's token is tried against, in order. */
  readonly authTokenClasses: ReadonlyArray<TokenClass>;
  /** Builds the stateless user (`tokenUserClass`). */
  readonly tokenUserClass: new (token: Token, userIdClaim: string) => unknown;

  private appsImpl?: AppStorage;
  /** `loginThrottle`, or null when it is off. */
  readonly loginThrottle: LoginThrottle | null;
  /** Bounds the `users.authenticate()` calls running at once (`loginConcurrency`). */
  private readonly loginSlots: Sema;

  /** Where blacklisted jtis / families are remembered; null when that cache setting is off. */
  private readonly tokenCacheSlot: CacheSlot | null;
  private readonly familyCacheSlot: CacheSlot | null;

  constructor(options: SimpleJWTOptions<U>) {
    this.settings = resolveSettings(options);
    this.options = Object.freeze({ ...options });
    this.backend = new TokenBackend(this.settings, options.signingKey, options.verifyingKey, options.now);
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? DEFAULT_LOGGER;
    for (const warning of configurationWarnings(this.settings, this.backend.hmacSecretBytes)) this.logger.warn(warning);
    this.users = options.users;
    this.sequelize = options.sequelize;
    if (this.sequelize) defaultStorage?.configure?.(this.sequelize, this.settings.storageTimeout);
    this.cache = options.cache ?? new MemoryBlacklistCache({ now: this.now });
    const { settings } = this;
    this.tokenCacheSlot = settings.cacheBlacklistedRefreshTokens
      ? { prefix: settings.cacheKeyPrefixBlacklistedRefreshTokens, ttl: settings.cacheTtlBlacklistedRefreshTokens }
      : null;
    this.familyCacheSlot = settings.cacheBlacklistedFamilies
      ? { prefix: settings.cacheKeyPrefixBlacklistedFamilies, ttl: settings.cacheTtlBlacklistedFamilies }
      : null;

    this.AccessToken = bindClass(AccessToken, this as SimpleJWT);
    this.RefreshToken = bindClass(RefreshToken, this as SimpleJWT);
    this.SlidingToken = bindClass(SlidingToken, this as SimpleJWT);
    this.UntypedToken = bindClass(UntypedToken, this as SimpleJWT);
    this.authTokenClasses = this.resolveAuthTokenClasses(options.authTokenClasses ?? ['AccessToken']);
    this.tokenUserClass = options.tokenUserClass ?? TokenUser;
    this.loginThrottle = settings.loginThrottle ? new LoginThrottle(settings.loginThrottle, options.sequelize) : null;
    this.loginSlots = new Sema(settings.loginConcurrency);
  }

  private resolveAuthTokenClasses(input: unknown): TokenClass[] {
    const list = Array.isArray(input) ? input : [input];
    if (list.length === 0) throw new TypeError("passport-simplejwt: 'authTokenClasses' must name at least one token class");
    const named: Record<string, TokenClass> = {
      AccessToken: this.AccessToken,
      RefreshToken: this.RefreshToken,
      SlidingToken: this.SlidingToken,
      UntypedToken: this.UntypedToken,
    };
    return list.map((entry) => {
      if (typeof entry === 'string' && Object.prototype.hasOwnProperty.call(named, entry)) return named[entry];
      if (typeof entry === 'function' && entry.prototype instanceof Token) {
        const cls = entry as typeof Token;
        // An unbound subclass of a base class is bound here; a subclass of sj.X already is.
        return (cls.sj === this ? cls : bindClass(cls, this as SimpleJWT)) as unknown as TokenClass;
      }
      throw new TypeError(`passport-simplejwt: 'authTokenClasses' entry ${String(typeof entry === 'function' ? entry.name : entry)} is not a token class (use 'AccessToken', 'SlidingToken', … or a class derived from one)`);
    });
  }

  /**
   * Makes the verifying key of a raw token available to the synchronous token
   * constructor: with `jwkUrl` it fetches the key set when the token's key is
   * not cached (a failing key server rejects with `ServiceUnavailable`);
   * otherwise it resolves at once. The strategies call it before decoding.
   *
   * @example
   * await sj.prepareKey(raw);
   * const access = new sj.AccessToken(raw); // signature checked against the key set
   */
  prepareKey(raw: string): Promise<void> {
    return this.backend.prepareKey(raw);
  }

  // ---- users ---------------------------------------------------------------

  /** The user store, or a clear error when the instance was built without one. */
  requireUsers(): UserStore<U> {
    if (!this.users) throw new TypeError("passport-simplejwt: this needs the 'users' setting (a UserStore)");
    return this.users;
  }

  /**
   * Counts a login attempt for `username` from the request's address when
   * `loginThrottle` is on: throws `Throttled` (429) when over the limit,
   * before any password is checked. Call `succeeded()` on the result when the
   * credentials were right.
   *
   * @example
   * const attempt = await sj.beginLogin(username, req);
   * const user = await sj.authenticate({ username, password }, req);
   * if (sj.userAuthenticationRule(user)) await attempt.succeeded();
   */
  async beginLogin(username: string, req?: Request): Promise<LoginAttempt> {
    // The counters are storage too: bounded by storageTimeout like the rest.
    return this.loginThrottle ? this.storage(this.loginThrottle.begin(username, req?.ip)) : unthrottledAttempt();
  }

  /**
   * `users.authenticate()` with at most `loginConcurrency` calls at once, so
   * password hashing cannot take every libuv thread from the database driver;
   * the others wait their turn. A failing store rejects with `ServiceUnavailable`.
   *
   * @example
   * const user = await sj.authenticate({ username, password }, req);
   */
  async authenticate(credentials: Record<string, string>, req?: Request): Promise<U | null> {
    const users = this.requireUsers();
    await this.loginSlots.acquire();
    try {
      return await failClosed(users.authenticate(credentials, req));
    } finally {
      this.loginSlots.release();
    }
  }

  /** The user's id as tokens carry it: always a string. */
  userIdOf(user: unknown, field = this.settings.userIdField): string {
    const id = user !== null && typeof user === 'object' ? readField(user, field) : undefined;
    if (typeof id !== 'string' && typeof id !== 'number' && typeof id !== 'bigint') {
      throw new TypeError(`passport-simplejwt: the user has no usable '${field}' (userIdField)`);
    }
    return String(id);
  }

  /** The stored password hash (for checkRevokeToken). */
  passwordHashOf(user: unknown): string {
    const fromStore = this.users?.getPasswordHash?.(user as U);
    if (fromStore !== undefined) return fromStore;
    const value = user !== null && typeof user === 'object' ? readField(user, 'password') : undefined;
    return typeof value === 'string' ? value : '';
  }

  /** Whether the user may log in (checkUserIsActive). */
  isUserActive(user: U): boolean {
    return this.users?.isActive ? this.users.isActive(user) : defaultIsActive(user);
  }

  /** `userAuthenticationRule`: user present and, with checkUserIsActive, active. */
  userAuthenticationRule(user: U | null): boolean {
    if (this.options.userAuthenticationRule) return this.options.userAuthenticationRule(user, this);
    return user !== null && user !== undefined && (!this.settings.checkUserIsActive || this.isUserActive(user));
  }

  /** `onLoginSuccess`: by default updates the last login through the store, with updateLastLogin. */
  async onLoginSuccess(user: U, req?: Request): Promise<void> {
    if (this.options.onLoginSuccess === null) return;
    if (this.options.onLoginSuccess) return this.options.onLoginSuccess(user, req);
    if (this.settings.updateLastLogin && this.users?.updateLastLogin) await this.users.updateLastLogin(user);
  }

  // ---- the apps' storage (blacklist, token family) ---------------------------

  /** Installs the storage of the apps (by default the Sequelize one on the `sequelize` setting, made on first use). */
  useApps(apps: AppStorage): void {
    this.appsImpl = apps;
  }

  private apps(): AppStorage {
    this.appsImpl ??= requireDefaultStorage().apps(this as SimpleJWT);
    return this.appsImpl;
  }

  /**
   * What storage holds about a presented token, for the apps that are on:
   * whether `jti` is blacklisted (null: not asked), whether `familyId` is
   * (null: not asked), and the rotation that consumed it. One round trip
   * when the storage offers `tokenState`; the cache's positive entries first.
   *
   * @example
   * const { blacklisted, familyBlacklisted } = await sj.tokenState(token.jti(), token.getFamilyId());
   */
  tokenState(jti: string | null, familyId: string | null): Promise<TokenState> {
    return this.storage(this.readTokenState(jti, familyId));
  }

  private async readTokenState(jti: string | null, familyId: string | null): Promise<TokenState> {
    const tokenSlot = jti === null ? null : this.tokenCacheSlot;
    const familySlot = familyId === null ? null : this.familyCacheSlot;
    if (tokenSlot && (await failClosed(this.cache.has(`${tokenSlot.prefix}:${jti}`)))) return { ...NOTHING_STORED, blacklisted: true };
    if (familySlot && (await failClosed(this.cache.has(`${familySlot.prefix}:${familyId}`)))) {
      // The jti is still asked: a blacklisted jti is answered before its family.
      const state = jti === null ? NOTHING_STORED : await this.readTokenState(jti, null);
      return { ...state, familyBlacklisted: true };
    }
    const apps = this.apps();
    const askJti = jti !== null && this.settings.apps.blacklist ? jti : null;
    const askFamily = familyId !== null && this.settings.apps.tokenFamily ? familyId : null;
    if (askJti === null && askFamily === null) return NOTHING_STORED;
    let state: TokenState;
    if (apps.tokenState) {
      state = await failClosed(apps.tokenState(askJti, askFamily));
    } else {
      const blacklisted = askJti !== null && (await failClosed(apps.blacklist.isBlacklisted(askJti)));
      const familyBlacklisted = !blacklisted && askFamily !== null && (await failClosed(apps.family.isFamilyBlacklisted(askFamily)));
      state = { blacklisted, familyBlacklisted, rotation: null };
    }
    // Already inside tokenState()'s deadline: no second timer.
    if (state.blacklisted) await this.cacheBlacklisted(tokenSlot, jti!);
    if (state.familyBlacklisted) await this.cacheBlacklisted(familySlot, familyId!);
    return state;
  }

  /** The blacklist app's storage; throws when the app is off. */
  get blacklistApp(): BlacklistApp {
    if (!this.settings.apps.blacklist) throw new TypeError("passport-simplejwt: the blacklist app is not enabled (apps: { blacklist: true })");
    return this.apps().blacklist;
  }

  /** The family app's storage; throws when the app is off. */
  get familyApp(): FamilyApp {
    if (!this.settings.apps.tokenFamily) throw new TypeError("passport-simplejwt: the token family app is not enabled (apps: { tokenFamily: true })");
    return this.apps().family;
  }

  /**
   * Storage work of a request, bounded by `storageTimeout`: its answer, or
   * `ServiceUnavailable` (503) once the time is up or when storage fails.
   *
   * @example
   * const user = await sj.storage(users.findById(id));
   */
  storage<T>(work: Promise<T>): Promise<T> {
    return withinDeadline(work, this.settings.storageTimeout * 1000);
  }

  /** Whether `id` is blacklisted: the cache's positive entries first (when that cache is on), then the database. */
  private blacklistedPerCache(slot: CacheSlot | null, id: string, lookup: () => Promise<boolean>): Promise<boolean> {
    return this.storage(this.lookupPerCache(slot, id, lookup));
  }

  private async lookupPerCache(slot: CacheSlot | null, id: string, lookup: () => Promise<boolean>): Promise<boolean> {
    if (!slot) return failClosed(lookup());
    const key = `${slot.prefix}:${id}`;
    if (await failClosed(this.cache.has(key))) return true;
    const blacklisted = await failClosed(lookup());
    if (blacklisted) await this.cacheBlacklisted(slot, id);
    return blacklisted;
  }

  /** Writes to the cache (when that cache is on) that `id` is blacklisted; callers bound it with `storage()`. */
  private async cacheBlacklisted(slot: CacheSlot | null, id: string): Promise<void> {
    if (slot) await failClosed(this.cache.set(`${slot.prefix}:${id}`, slot.ttl));
  }

  /** Remembers in the cache (when that cache is on) that `id` is blacklisted, within `storageTimeout`. */
  private async rememberBlacklisted(slot: CacheSlot | null, id: string): Promise<void> {
    if (slot) await this.storage(this.cacheBlacklisted(slot, id));
  }

  /** Whether a jti is blacklisted: the cache's positive entries first, then the database. */
  async isBlacklisted(jti: string): Promise<boolean> {
    return this.blacklistedPerCache(this.tokenCacheSlot, jti, () => this.blacklistApp.isBlacklisted(jti));
  }

  /** Blacklists a token (idempotent) and remembers it in the cache. */
  async blacklistToken(token: Token) {
    const result = await this.storage(this.blacklistApp.blacklist(token));
    await this.rememberBlacklisted(this.tokenCacheSlot, token.jti());
    return result;
  }

  /**
   * Consumes a refresh token for rotation in one atomic step of the blacklist
   * app: `token` blacklisted, `successor` recorded as outstanding, the pair
   * recorded for the reuse interval. Resolves to true for the one caller that
   * consumed it (across processes sharing the database), false when it had
   * already been consumed. A failing database rejects with `ServiceUnavailable`.
   *
   * @example
   * if (!(await sj.rotateToken(presented, successor))) throw new RefreshTokenBlacklistedError();
   */
  async rotateToken(token: Token, successor: Token): Promise<boolean> {
    // The group commit never runs, or rolls back, a rotation past this deadline: a 503 here commits nothing.
    const consumed = await this.storage(this.blacklistApp.rotate(token, successor, Date.now() + this.settings.storageTimeout * 1000));
    await this.rememberBlacklisted(this.tokenCacheSlot, token.jti());
    return consumed;
  }

  /**
   * The rotation recorded for a consumed refresh token (its successor's
   * encoded token, when, and whether the successor was rotated in turn), or
   * null when none was recorded.
   *
   * @example
   * const rotation = await sj.successorOf(presented.jti());
   */
  async successorOf(jti: string): Promise<TokenRotationRecord | null> {
    return this.storage(this.blacklistApp.successorOf(jti));
  }

  /** Whether a family is blacklisted: the cache's positive entries first, then the database. */
  async isFamilyBlacklisted(familyId: string): Promise<boolean> {
    return this.blacklistedPerCache(this.familyCacheSlot, familyId, () => this.familyApp.isFamilyBlacklisted(familyId));
  }

  /** Blacklists the family of `token` (idempotent) and remembers it in the cache. */
  async blacklistFamilyOf(token: Token, familyId: string) {
    const userId = token.get(this.settings.userIdClaim);
    const result = await this.storage(
      this.familyApp.blacklistFamily(familyId, userId === undefined || userId === null ? null : String(userId), token.getFamilyExpirationDate()),
    );
    await this.rememberBlacklisted(this.familyCacheSlot, familyId);
    return result;
  }

  /**
   * "Log out everywhere": blacklists every outstanding, unexpired refresh (and
   * sliding) token of the user and every unexpired family of the user, so
   * their refresh tokens and family-checked access tokens stop working.
   * Resolves to the numbers newly blacklisted.
   *
   * @example
   * const { tokens, families } = await sj.blacklistAllForUser(req.user.id);
   */
  async blacklistAllForUser(userId: string | number): Promise<{ tokens: number; families: number }> {
    const { apps } = this.settings;
    if (!apps.blacklist && !apps.tokenFamily) {
      throw new TypeError('passport-simplejwt: blacklistAllForUser() needs the blacklist or token family app (apps: { blacklist: true })');
    }
    const id = String(userId);
    const now = this.now();
    const families = apps.tokenFamily ? await failClosed(this.familyApp.blacklistUserFamilies(id, now)) : 0;
    const tokens = apps.blacklist ? await failClosed(this.blacklistApp.blacklistUser(id, now)) : 0;
    return { tokens, families };
  }

  /**
   * Creates or upgrades the tables of the enabled apps (umzug migrations,
   * recorded in `passport_simplejwt_migrations`; tables a Django service
   * created are kept). Resolves to the names of the migrations run.
   *
   * @example
   * await sj.migrate(); // at deploy time, or: npx passport-simplejwt migrate --database $DATABASE_URL
   */
  async migrate(): Promise<string[]> {
    if (!this.sequelize) throw new TypeError("passport-simplejwt: migrate() needs the 'sequelize' setting");
    return requireDefaultStorage().migrate(this.sequelize, this.settings.apps);
  }
}

/** One kind of cached blacklist answer: its key prefix and time to live (seconds). */
interface CacheSlot {
  prefix: string;
  ttl: number;
}

/** Reads a field of a plain object or a Sequelize instance. */
function readField(user: object, field: string): unknown {
  const getter = (user as { get?: unknown }).get;
  if (typeof getter === 'function' && !(field in user)) return (getter as (k: string) => unknown).call(user, field);
  return (user as Record<string, unknown>)[field];
}
