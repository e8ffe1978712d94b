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

/**
 * This package's side table (not Simple JWT's): which token replaced a
 * rotated refresh token, and when. A side table rather than a column keeps
 * Simple JWT's tables exactly as Django defines them (Django rebuilds SQLite
 * tables on its own migrations and would drop an extra column).
 */
export const TOKEN_ROTATION_TABLE = 'passport_simplejwt_tokenrotation';

/**
 * A row of `passport_simplejwt_tokenrotation`: `token_id` (unique) was
 * rotated into `successor_id` at `rotated_at`. For the reuse interval.
 *
 * @example
 * const { TokenRotation } = defineModels(sequelize);
 * const rotation = await TokenRotation.findOne({ where: { token_id: outstanding.id } });
 */
export class TokenRotation extends Model<InferAttributes<TokenRotation>, InferCreationAttributes<TokenRotation>> {
  declare id: CreationOptional<number | string>;
  /** The rotated token: `token_blacklist_outstandingtoken.id`. */
  declare token_id: ForeignKey<number | string>;
  /** The token it was rotated into: `token_blacklist_outstandingtoken.id`. */
  declare successor_id: ForeignKey<number | string>;
  declare rotated_at: Date;
}

/** The attributes of {@link TokenRotation} on this dialect. */
export function tokenRotationAttributes(sequelize: Sequelize): ModelAttributes<TokenRotation> {
  return {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    token_id: { type: DataTypes.BIGINT, allowNull: false, unique: true },
    successor_id: { type: DataTypes.BIGINT, allowNull: false },
    rotated_at: { type: timestampType(sequelize), allowNull: false },
  };
}
