import type { BlacklistApp, FamilyApp, SessionApp, TokenState } from '../types/apps';
import type { Apps, ResolvedSettings, SequelizeInstance } from '../settings';

export type { TokenState } from '../types/apps';

/** What a storage provider reads of the instance it stores for (a `SimpleJWT` is one). */
export interface AppsHost {
  /** The resolved settings (claim names, apps, storageTimeout). */
  readonly settings: ResolvedSettings;
  /** The database of the apps (the `sequelize` setting). */
  readonly sequelize?: SequelizeInstance;
  /** The instance's clock. */
  now(): Date;
}

/**
 * The storage of the blacklist and family apps as the request path uses
 * it. `lib/` defines it; `models/` implements it on Sequelize; an app may
 * install its own with `sj.useApps()`.
 */
export interface AppStorage {
  /** The blacklist app's tables. */
  readonly blacklist: BlacklistApp;
  /** The family app's tables. */
  readonly family: FamilyApp;
  /** The session metadata of the family app (`sj.sessions`); optional: without it `sj.sessions` throws a `TypeError`. */
  readonly sessions?: SessionApp;
  /**
   * The blacklist state of `jti` and of `familyId` (either may be null:
   * not asked), and the rotation of `jti`, in one indexed query. Optional:
   * without it the package asks `blacklist` and `family` one after another.
   */
  tokenState?(jti: string | null, familyId: string | null): Promise<TokenState>;
}

/** What one failure counter of `loginThrottle` counts: `points` failures in `duration` seconds under `keyPrefix`. */
export interface FailureCounterOptions {
  /** Prepended to every key as `${keyPrefix}:${key}`. */
  keyPrefix: string;
  /** Failures allowed in a window; one more is refused. */
  points: number;
  /** The window, in seconds. */
  duration: number;
  /** How long a store may wait for a lock, in milliseconds (`storageTimeout`). */
  timeoutMs: number;
}

/**
 * One failure counter of `loginThrottle`, in a store. `consume()` counts one
 * failure and rejects with rate-limiter-flexible's `RateLimiterRes` (its
 * `msBeforeNext` the rest of the window) once over the points; `reward()`
 * gives one back. A store error rejects with that error.
 */
export interface FailureCounter {
  consume(key: string): Promise<unknown>;
  reward(key: string): Promise<unknown>;
}

/**
 * Where the package gets its default storage for the `sequelize` setting
 * and its migrations; the package entry installs the Sequelize one.
 */
export interface StorageProvider {
  /** The apps' storage of `sj`, on `sj.sequelize`. */
  apps(sj: AppsHost): AppStorage;
  /** Creates or upgrades the tables of the enabled apps; resolves to the names of the migrations run. */
  migrate(sequelize: SequelizeInstance, apps: Apps): Promise<string[]>;
  /** Derives the database's own timeouts (SQLite busy timeout, client-side query timeout) from `storageTimeout` (seconds). */
  configure?(sequelize: SequelizeInstance, storageTimeout: number): void;
  /** A failure counter of `loginThrottle.store: 'database'` on `sequelize`; every change one statement, never a transaction. */
  failureCounter?(sequelize: SequelizeInstance, options: FailureCounterOptions): FailureCounter;
}
