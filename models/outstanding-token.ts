import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type ModelAttributes, type Sequelize } from 'sequelize';
import { timestampType } from './timestamp';
import { userIdAttribute } from './user-id';

/** Simple JWT's table of issued refresh and sliding tokens. */
export const OUTSTANDING_TOKEN_TABLE = 'token_blacklist_outstandingtoken';

/**
 * A row of `token_blacklist_outstandingtoken`: a refresh or sliding token
 * issued while the blacklist app was on. The class is never bound to a
 * database itself; `defineModels(sequelize)` returns the subclass bound to
 * yours, so several databases can be used in one process.
 *
 * @example
 * const { OutstandingToken } = defineModels(sequelize);
 * const mine = await OutstandingToken.findAll({ where: { user_id: '42' } });
 */
export class OutstandingToken extends Model<InferAttributes<OutstandingToken>, InferCreationAttributes<OutstandingToken>> {
  declare id: CreationOptional<number | string>;
  /** The token's user id claim as a string (Django's column may be an integer FK). */
  declare user_id: string | null;
  declare jti: string;
  /** The encoded token. */
  declare token: string;
  declare created_at: Date | null;
  declare expires_at: Date;
}

/** The attributes of {@link OutstandingToken} on this dialect. */
export function outstandingTokenAttributes(sequelize: Sequelize): ModelAttributes<OutstandingToken> {
  return {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    user_id: userIdAttribute(),
    jti: { type: DataTypes.STRING(255), allowNull: false, unique: true },
    token: { type: DataTypes.TEXT, allowNull: false },
    created_at: { type: timestampType(sequelize), allowNull: true },
    expires_at: { type: timestampType(sequelize), allowNull: false },
  };
}
