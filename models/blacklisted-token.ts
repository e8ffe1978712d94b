import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type ModelAttributes,
  type Sequelize,
} from 'sequelize';
import { timestampType } from './timestamp';

/** Simple JWT's table of blacklisted tokens. */
export const BLACKLISTED_TOKEN_TABLE = 'token_blacklist_blacklistedtoken';

/**
 * A row of `token_blacklist_blacklistedtoken`: an outstanding token that is
 * no longer accepted (unique per token). Bound per database by `defineModels()`.
 *
 * @example
 * const { BlacklistedToken } = defineModels(sequelize);
 * const count = await BlacklistedToken.count();
 */
export class BlacklistedToken extends Model<InferAttributes<BlacklistedToken>, InferCreationAttributes<BlacklistedToken>> {
  declare id: CreationOptional<number | string>;
  /** `token_blacklist_outstandingtoken.id`. */
  declare token_id: ForeignKey<number | string>;
  declare blacklisted_at: Date;
}

/** The attributes of {@link BlacklistedToken} on this dialect. */
export function blacklistedTokenAttributes(sequelize: Sequelize): ModelAttributes<BlacklistedToken> {
  return {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    token_id: { type: DataTypes.BIGINT, allowNull: false, unique: true },
    blacklisted_at: { type: timestampType(sequelize), allowNull: false },
  };
}
