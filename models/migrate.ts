import type { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug, type RunnableMigration } from 'umzug';
import type { Apps } from '../lib/settings';
import type { MigrationContext } from './migrations/schema';
import { tokenBlacklist0001Initial } from './migrations/token-blacklist-0001-initial';
import { tokenBlacklist0002TokenRotation } from './migrations/token-blacklist-0002-token-rotation';
import { tokenFamily0001Initial } from './migrations/token-family-0001-initial';
import { tokenFamily0002Sessions } from './migrations/token-family-0002-sessions';

/** The table where umzug records the migrations this package has run. */
export const MIGRATIONS_TABLE = 'passport_simplejwt_migrations';

/** Every migration of each app, in order. */
export const APP_MIGRATIONS: Readonly<Record<keyof Apps, ReadonlyArray<RunnableMigration<MigrationContext>>>> = {
  blacklist: [tokenBlacklist0001Initial, tokenBlacklist0002TokenRotation],
  tokenFamily: [tokenFamily0001Initial, tokenFamily0002Sessions],
};

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** Run only the migrations up to and including this one (for tests of upgrades). */
  to?: string;
  /** Receives a line per migration run. */
  log?: (line: string) => void;
}

function umzugFor(sequelize: Sequelize, apps: Required<Apps>): Umzug<MigrationContext> {
  const migrations = [...(apps.blacklist ? APP_MIGRATIONS.blacklist : []), ...(apps.tokenFamily ? APP_MIGRATIONS.tokenFamily : [])];
  return new Umzug<MigrationContext>({
    migrations,
    context: { queryInterface: sequelize.getQueryInterface() },
    storage: new SequelizeStorage({ sequelize, tableName: MIGRATIONS_TABLE, modelName: 'PassportSimpleJWTMigration' }),
    logger: undefined,
  });
}

/**
 * Creates or upgrades the tables of the enabled apps and returns the names
 * of the migrations it ran (none when up to date). Safe on tables a Django
 * service already created: they are kept, only this package's indexes and
 * side tables are added. `sj.migrate()` and the CLI's `migrate` call this.
 *
 * @example
 * await migrate(sequelize, { blacklist: true, tokenFamily: true });
 */
export async function migrate(sequelize: Sequelize, apps: Apps, options: MigrateOptions = {}): Promise<string[]> {
  const umzug = umzugFor(sequelize, { blacklist: apps.blacklist ?? false, tokenFamily: apps.tokenFamily ?? false });
  const ran = await umzug.up(options.to === undefined ? {} : { to: options.to });
  for (const migration of ran) options.log?.(`applied ${migration.name}`);
  return ran.map((migration) => migration.name);
}
