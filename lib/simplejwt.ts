import type { Request } from 'express';
import { Sema } from 'async-sema';
import { TokenBackend } from './backend';
import { failClosed } from './storage/fail-closed';
import { Revocation, withTokenState, type ResolvedAppStorage } from './services/revocation';
import { Sessions } from './services/sessions';
import { TokenValidation } from './services/token-validation';
import { UserPolicy } from './services/user-policy';
import { withinDeadline } from './storage/deadline';
import { LoginThrottle, unthrottledAttempt, type DatabaseCounterFactory, type LoginAttempt } from './services/login-throttle';
import type { BlacklistCache } from './types/blacklist-cache';
import { MemoryBlacklistCache } from './storage/memory-cache';
import { DEFAULT_LOGGER, type Logger } from './logger';
import {
  configurationWarnings,
  keyWarnings,
  resolveSettings,
  type KeySettings,
  type ResolvedSettings,
  type SequelizeInstance,
  type SimpleJWTOptions,
} from './settings';
import { TokenUser } from './tokens/token-user';
import { AccessToken } from './tokens/access-token';
import { RefreshToken } from './tokens/refresh-token';
import { SlidingToken } from './tokens/sliding-token';
import { Token, type TokenClass, type TokenHost } from './tokens/token';
import { UntypedToken } from './tokens/untyped-token';
import type { UserStore } from './types/user-store';
import type { AppStorage, StorageProvider } from './storage';

/**
 * One configuration of the package: settings, keys, token classes, and the
 * apps' storage. Several instances can live in one process.
 *
 * @example
 * const sj = new SimpleJWT({ signingKey: process.env.JWT_SECRET!, users });
 * passport.use(new JWTStrategy(sj));
 * app.use('/api/token/', tokenRouter(sj));
 */
export class SimpleJWT<U = unknown> implements TokenHost {
  readonly settings: ResolvedSettings;
  readonly backend: TokenBackend;
  readonly users?: UserStore<U>;
  readonly sequelize?: SequelizeInstance;
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

  /**
   * The blacklist and family apps behind the cache (the documented API for
   * them): what storage holds about a jti or family (`tokenState`,
   * `isBlacklisted`, `isFamilyBlacklisted`), record, blacklist, rotate,
   * `successorOf`, "log out everywhere" (`blacklistAllForUser`).
   *
   * @example
   * const { tokens, families } = await sj.revocation.blacklistAllForUser(req.user.id);
   */
  readonly revocation: Revocation;
  /**
   * The rules about a token's user: id, password hash, active, may
   * authenticate (`authenticationRule`), password changed.
   *
   * @example
   * if (!sj.userPolicy.authenticationRule(user)) throw new AuthenticationFailed();
   */
  readonly userPolicy: UserPolicy<U>;
  /**
   * The validation pipeline of the strategies and serializers: decode, the
   * stored state of a token in one round trip (`tokenState`), the full check
   * with the `isRevoked` setting (`check`), the user.
   *
   * @example
   * const token = await sj.validation.validate(sj.AccessToken, raw, req);
   */
  readonly validation: TokenValidation<U>;
  /**
   * A user's login sessions (token families) and their devices: `list`,
   * `revoke`, `revokeOthers` (docs/sessions.md); needs token families.
   *
   * @example
   * await sj.sessions.revokeOthers(req.user.id, token.getFamilyId());
   */
  readonly sessions: Sessions;

  /** The storage behind the `sequelize` setting (its apps, migrations and counters), or none without one. */
  private readonly storageProvider?: StorageProvider;
  private appsImpl?: ResolvedAppStorage;
  /** The bound class of each base class (`bind`). */
  private readonly boundClasses = new Map<typeof Token, typeof Token>();
  /** `loginThrottle`, or null when it is off. */
  readonly loginThrottle: LoginThrottle | null;
  /** Bounds the `users.authenticate()` calls running at once (`loginConcurrency`). */
  private readonly loginSlots: Sema;

  /**
   * @param options - the settings (`SimpleJWTOptions`).
   * @param loadStorage - loads the storage the `sequelize` setting installs;
   *   called only when `sequelize` is given. The `SimpleJWT` of the package
   *   entry passes the Sequelize one of `models/` (lib/ never imports it); an
   *   instance without it has no storage but what `useApps()` installs.
   */
  constructor(options: SimpleJWTOptions<U>, loadStorage?: () => StorageProvider) {
    this.settings = resolveSettings(options);
    this.options = Object.freeze({ ...options });
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? DEFAULT_LOGGER;
    const { signingKey, verifyingKey, verifyingKeys } = options;
    this.backend = new TokenBackend(this.settings, { signingKey, verifyingKey, verifyingKeys }, { now: this.now, logger: this.logger });
    for (const warning of configurationWarnings(this.settings, this.backend.hmacSecretBytes)) this.logger.warn(warning);
    this.users = options.users;
    this.sequelize = options.sequelize;
    this.storageProvider = this.sequelize ? loadStorage?.() : undefined;
    if (this.sequelize) this.storageProvider?.configure?.(this.sequelize, this.settings.storageTimeout);
    this.cache = options.cache ?? new MemoryBlacklistCache({ now: this.now });
    const { settings } = this;
    const storage = <T>(work: Promise<T>): Promise<T> => this.storage(work);
    this.revocation = new Revocation({
      settings,
      cache: this.cache,
      now: this.now,
      apps: () => this.apps(),
      storage,
      sessionUsedAt: (familyId) => this.sessions.usedAt(familyId),
    });
    this.sessions = new Sessions({ settings, revocation: this.revocation, now: this.now, apps: () => this.apps(), storage });
    const rule = options.userAuthenticationRule;
    this.userPolicy = new UserPolicy<U>({
      settings,
      users: this.users,
      storage,
      ...(rule && { authenticationRule: (user: U | null) => rule(user, this) }),
    });
    this.validation = new TokenValidation<U>({
      settings,
      revocation: this.revocation,
      userPolicy: this.userPolicy,
      ...(options.isRevoked && { isRevoked: options.isRevoked }),
      storage,
      bind: (cls) => this.bind(cls),
    });

    this.AccessToken = this.bind(AccessToken);
    this.RefreshToken = this.bind(RefreshToken);
    this.SlidingToken = this.bind(SlidingToken);
    this.UntypedToken = this.bind(UntypedToken);
    this.authTokenClasses = this.resolveAuthTokenClasses(options.authTokenClasses ?? ['AccessToken']);
    this.tokenUserClass = (options.tokenUserClass ?? TokenUser) as new (token: Token, userIdClaim: string) => unknown;
    this.loginThrottle = settings.loginThrottle ? new LoginThrottle(settings.loginThrottle, this.databaseCounters(), settings.storageTimeout * 1000) : null;
    this.loginSlots = new Sema(settings.loginConcurrency);
  }

  /** The failure counters of `loginThrottle.store: 'database'`, on the `sequelize` setting through the installed storage. */
  private databaseCounters(): DatabaseCounterFactory | undefined {
    const { sequelize } = this;
    if (!sequelize) return undefined;
    return (options) => {
      const storage = this.requireStorage();
      if (!storage.failureCounter) throw new TypeError("passport-simplejwt: the installed storage has no 'database' store for loginThrottle");
      return storage.failureCounter(sequelize, options);
    };
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
        return this.bind(cls) as unknown as TokenClass;
      }
      throw new TypeError(
        `passport-simplejwt: 'authTokenClasses' entry ${String(typeof entry === 'function' ? entry.name : entry)} is not a token class (use 'AccessToken', 'SlidingToken', … or a class derived from one)`,
      );
    });
  }

  /**
   * `cls` bound to this instance: the same behaviour with this instance's
   * settings, keys and storage. A class already bound here is returned as
   * it is; any other gets one bound subclass, made once and returned again
   * on every later call (the package's base classes give `sj.AccessToken`, …).
   *
   * @example
   * class MyRefresh extends RefreshToken { static override lifetime = '30d'; }
   * const Bound = sj.bind(MyRefresh); // sj.bind(MyRefresh) === Bound
   * const refresh = await Bound.forUser(user);
   */
  bind<C extends typeof Token>(cls: C): C {
    if ((cls.sj as unknown) === this) return cls;
    let Bound = this.boundClasses.get(cls);
    if (!Bound) {
      Bound = class extends (cls as typeof Token) {};
      Object.defineProperty(Bound, 'name', { value: cls.name });
      Bound.sj = this;
      this.boundClasses.set(cls, Bound);
    }
    return Bound as C;
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

  /**
   * Replaces the keys of the running instance (a secrets manager's
   * rotation): `signingKey`, `verifyingKey` and `verifyingKeys` become
   * exactly what is given (absent: none), checked as the constructor checks
   * them. A bad set throws a `TypeError` and changes nothing. From the next
   * request on, tokens of a key no longer given are refused, remembered ones
   * included; an instance that signs keeps a `signingKey`.
   * `sj.options` still shows the constructor's keys.
   *
   * @example
   * // step 1 of a rotation: publish the next key
   * sj.setKeys({ signingKey: { kid: '2026-12', key: currentPem }, verifyingKeys: [{ kid: '2027-01', key: nextPublicPem }] });
   */
  setKeys(keys: KeySettings): void {
    if (keys === null || typeof keys !== 'object' || Array.isArray(keys))
      throw new TypeError('passport-simplejwt: setKeys() takes { signingKey, verifyingKey, verifyingKeys }');
    for (const name of Object.keys(keys)) {
      if (name !== 'signingKey' && name !== 'verifyingKey' && name !== 'verifyingKeys') {
        throw new TypeError(`passport-simplejwt: setKeys() takes { signingKey, verifyingKey, verifyingKeys }, not '${name}'`);
      }
    }
    this.backend.setKeys(keys);
    for (const warning of keyWarnings(this.settings, this.backend.hmacSecretBytes)) this.logger.warn(warning);
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
   * if (sj.userPolicy.authenticationRule(user)) await attempt.succeeded();
   */
  async beginLogin(username: string, req?: Request): Promise<LoginAttempt> {
    const throttle = this.loginThrottle;
    if (!throttle) return unthrottledAttempt();
    // The counters and the account look-up are storage too: bounded by storageTimeout like the rest.
    return this.storage(
      (async () => {
        const accountId = (await this.users?.accountIdOf?.(username)) ?? null;
        return throttle.begin(username, req?.ip, accountId);
      })(),
    );
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

  /** `onLoginSuccess`: by default updates the last login through the store, with updateLastLogin. */
  async onLoginSuccess(user: U, req?: Request): Promise<void> {
    if (this.options.onLoginSuccess === null) return;
    if (this.options.onLoginSuccess) return this.options.onLoginSuccess(user, req);
    if (this.settings.updateLastLogin && this.users?.updateLastLogin) await this.users.updateLastLogin(user);
  }

  // ---- the apps' storage (blacklist, token family) ---------------------------

  /**
   * Installs the storage of the apps (by default the Sequelize one on the
   * `sequelize` setting, made on first use). A storage without `tokenState`
   * gets one made of its `isBlacklisted` and `isFamilyBlacklisted`, once here.
   */
  useApps(apps: AppStorage): void {
    this.appsImpl = withTokenState(apps);
  }

  /** The storage of the `sequelize` setting, or a clear error without one. */
  private requireStorage(): StorageProvider {
    if (this.sequelize && !this.storageProvider)
      throw new TypeError("passport-simplejwt: no storage for the 'sequelize' setting; construct SimpleJWT from the package entry ('passport-simplejwt')");
    if (!this.storageProvider)
      throw new TypeError("passport-simplejwt: the blacklist and family apps need the 'sequelize' setting (or their storage installed with sj.useApps())");
    return this.storageProvider;
  }

  private apps(): ResolvedAppStorage {
    this.appsImpl ??= withTokenState(this.requireStorage().apps(this as SimpleJWT));
    return this.appsImpl;
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
    return this.requireStorage().migrate(this.sequelize, this.settings.apps);
  }
}
