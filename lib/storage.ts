import type { Sequelize } from 'sequelize';
import type { BlacklistApp, FamilyApp, TokenRotationRecord } from './apps';
import type { Apps } from './settings';
import type { SimpleJWT } from './simplejwt';

/**
 * What storage holds about one presented token, answered in one round trip
 * for the apps that are on: the checks a refresh needs before it can answer.
 */
export interface TokenState {
  /** The jti is blacklisted (false when the blacklist app is off or no jti was asked). */
  blacklisted: boolean;
  /** The family is blacklisted (false when the family app is off or no family was asked). */
  familyBlacklisted: boolean;
  /** The rotation that consumed the token, when there was one (for the reuse interval). */
  rotation: TokenRotationRecord | null;
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
  /**
   * The blacklist state of `jti` and of `familyId` (either may be null:
   * not asked), and the rotation of `jti`, in one indexed query. Optional:
   * without it the package asks `blacklist` and `family` one after another.
   */
  tokenState?(jti: string | null, familyId: string | null): Promise<TokenState>;
}

/**
 * Where the package gets its default storage for the `sequelize` setting
 * and its migrations; the package entry installs the Sequelize one.
 */
export interface StorageProvider {
  /** The apps' storage of `sj`, on `sj.sequelize`. */
  apps(sj: SimpleJWT): AppStorage;
  /** Creates or upgrades the tables of the enabled apps; resolves to the names of the migrations run. */
  migrate(sequelize: Sequelize, apps: Apps): Promise<string[]>;
  /** Derives the database's own timeouts (SQLite busy timeout, client-side query timeout) from `storageTimeout` (seconds). */
  configure?(sequelize: Sequelize, storageTimeout: number): void;
}
