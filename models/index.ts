/**
 * `passport-simplejwt/sequelize`: `sequelizeUserStore`, and the Sequelize
 * models, migrations and flush commands of the blacklist and family apps.
 * A separate entry, because it loads Sequelize and names its
 * types: the main entry does neither, so an app that uses only the
 * stateless strategy, or its own `UserStore` and no apps, installs,
 * compiles and runs without `sequelize`.
 *
 * @example
 * import { sequelizeUserStore, flushExpiredTokens } from 'passport-simplejwt/sequelize';
 */
export { sequelizeUserStore, type SequelizeUserStoreOptions } from './sequelize-user-store';
export { OutstandingToken, OUTSTANDING_TOKEN_TABLE } from './outstanding-token';
export { BlacklistedToken, BLACKLISTED_TOKEN_TABLE } from './blacklisted-token';
export { TokenFamily, TOKEN_FAMILY_TABLE } from './token-family';
export { BlacklistedTokenFamily, BLACKLISTED_TOKEN_FAMILY_TABLE } from './blacklisted-token-family';
export { TokenRotation, TOKEN_ROTATION_TABLE } from './token-rotation';
export { defineModels, type SimpleJWTModels } from './define-models';
export { sequelizeApps } from './sequelize-apps';
export { migrate, MIGRATIONS_TABLE, type MigrateOptions } from './migrate';
export { flushExpiredTokens, flushExpiredFamilies, FLUSH_BATCH_SIZE, type FlushOptions } from './flush';
