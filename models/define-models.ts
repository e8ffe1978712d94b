import type { Sequelize } from 'sequelize';
import { BlacklistedToken, BLACKLISTED_TOKEN_TABLE, blacklistedTokenAttributes } from './blacklisted-token';
import { BlacklistedTokenFamily, BLACKLISTED_TOKEN_FAMILY_TABLE, blacklistedTokenFamilyAttributes } from './blacklisted-token-family';
import { OutstandingToken, OUTSTANDING_TOKEN_TABLE, outstandingTokenAttributes } from './outstanding-token';
import { assertUtcSequelize } from './timestamp';
import { TokenFamily, TOKEN_FAMILY_TABLE, tokenFamilyAttributes } from './token-family';
import { TokenRotation, TOKEN_ROTATION_TABLE, tokenRotationAttributes } from './token-rotation';

/** The apps' models, bound to one Sequelize instance. */
export interface SimpleJWTModels {
  OutstandingToken: typeof OutstandingToken;
  BlacklistedToken: typeof BlacklistedToken;
  TokenFamily: typeof TokenFamily;
  BlacklistedTokenFamily: typeof BlacklistedTokenFamily;
  /** This package's side table for the reuse interval. */
  TokenRotation: typeof TokenRotation;
}

// Keyed by the Sequelize instance itself: nothing outlives it, nothing is shared between databases.
const bound = new WeakMap<Sequelize, SimpleJWTModels>();

/**
 * The blacklist and family models bound to `sequelize` (defined on first
 * call, then the same classes). Each is a subclass of the exported model, so
 * `row instanceof OutstandingToken` holds whichever database the row came from.
 * Defining models creates no table: run `sj.migrate()` (or the CLI's `migrate`).
 *
 * @example
 * const { OutstandingToken, BlacklistedToken } = defineModels(sequelize);
 * const live = await OutstandingToken.count({ where: { user_id: '42' } });
 */
export function defineModels(sequelize: Sequelize): SimpleJWTModels {
  const existing = bound.get(sequelize);
  if (existing) return existing;
  assertUtcSequelize(sequelize);
  const common = { sequelize, timestamps: false, underscored: true, freezeTableName: true } as const;

  const Outstanding = class extends OutstandingToken {};
  Outstanding.init(outstandingTokenAttributes(sequelize), { ...common, modelName: 'OutstandingToken', tableName: OUTSTANDING_TOKEN_TABLE });
  const Blacklisted = class extends BlacklistedToken {};
  Blacklisted.init(blacklistedTokenAttributes(sequelize), { ...common, modelName: 'BlacklistedToken', tableName: BLACKLISTED_TOKEN_TABLE });
  const Family = class extends TokenFamily {};
  Family.init(tokenFamilyAttributes(sequelize), { ...common, modelName: 'TokenFamily', tableName: TOKEN_FAMILY_TABLE });
  const BlacklistedFamily = class extends BlacklistedTokenFamily {};
  BlacklistedFamily.init(blacklistedTokenFamilyAttributes(sequelize), {
    ...common,
    modelName: 'BlacklistedTokenFamily',
    tableName: BLACKLISTED_TOKEN_FAMILY_TABLE,
  });
  const Rotation = class extends TokenRotation {};
  Rotation.init(tokenRotationAttributes(sequelize), { ...common, modelName: 'TokenRotation', tableName: TOKEN_ROTATION_TABLE });

  // Associations for joins only; the schema (and its ON DELETE CASCADE) is the migrations'.
  Blacklisted.belongsTo(Outstanding, { foreignKey: 'token_id', as: 'token', constraints: false });
  Outstanding.hasOne(Blacklisted, { foreignKey: 'token_id', as: 'blacklistedtoken', constraints: false });
  BlacklistedFamily.belongsTo(Family, { foreignKey: 'family_id', as: 'family', constraints: false });
  Family.hasOne(BlacklistedFamily, { foreignKey: 'family_id', as: 'blacklistedtokenfamily', constraints: false });

  const models: SimpleJWTModels = {
    OutstandingToken: Outstanding,
    BlacklistedToken: Blacklisted,
    TokenFamily: Family,
    BlacklistedTokenFamily: BlacklistedFamily,
    TokenRotation: Rotation,
  };
  bound.set(sequelize, models);
  return models;
}
