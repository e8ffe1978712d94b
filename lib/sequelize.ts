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
export { sequelizeUserStore, type SequelizeUserStoreOptions } from '../models/sequelize-user-store';
export { OutstandingToken, OUTSTANDING_TOKEN_TABLE } from '../models/outstanding-token';
export { BlacklistedToken, BLACKLISTED_TOKEN_TABLE } from '../models/blacklisted-token';
export { TokenFamily, TOKEN_FAMILY_TABLE } from '../models/token-family';
export { BlacklistedTokenFamily, BLACKLISTED_TOKEN_FAMILY_TABLE } from '../models/blacklisted-token-family';
export { TokenRotation, TOKEN_ROTATION_TABLE } from '../models/token-rotation';
export { defineModels, type SimpleJWTModels } from '../models/define-models';
export { sequelizeApps } from '../models/sequelize-apps';
export { migrate, MIGRATIONS_TABLE, type MigrateOptions } from '../models/migrate';
export { flushExpiredTokens, flushExpiredFamilies, FLUSH_BATCH_SIZE, type FlushOptions } from '../models/flush';
