import type { Sequelize } from 'sequelize';
import type { BlacklistApp, FamilyApp, TokenState } from './apps';
import type { Apps, ResolvedSettings } from './settings';

export type { TokenState } from './apps';

/** What a storage provider reads of the instance it stores for (a `SimpleJWT` is one). */
export interface AppsHost {
  /** The resolved settings (claim names, apps, storageTimeout). */
  readonly settings: ResolvedSettings;
  /** The database of the apps (the `sequelize` setting). */
  readonly sequelize?: Sequelize;
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
  apps(sj: AppsHost): AppStorage;
  /** Creates or upgrades the tables of the enabled apps; resolves to the names of the migrations run. */
  migrate(sequelize: Sequelize, apps: Apps): Promise<string[]>;
  /** Derives the database's own timeouts (SQLite busy timeout, client-side query timeout) from `storageTimeout` (seconds). */
  configure?(sequelize: Sequelize, storageTimeout: number): void;
}
