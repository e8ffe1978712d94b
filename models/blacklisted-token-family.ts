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

/** The token family app's table of blacklisted families. */
export const BLACKLISTED_TOKEN_FAMILY_TABLE = 'token_family_blacklistedtokenfamily';

/**
 * A row of `token_family_blacklistedtokenfamily`: a family none of whose
 * tokens is accepted any more (unique per family). Bound per database by `defineModels()`.
 *
 * @example
 * const [row, created] = await refresh.blacklistFamily(); // row is a BlacklistedTokenFamily
 */
export class BlacklistedTokenFamily extends Model<InferAttributes<BlacklistedTokenFamily>, InferCreationAttributes<BlacklistedTokenFamily>> {
  declare id: CreationOptional<number | string>;
  /** `token_family_tokenfamily.id` (not the `family_id` claim). */
  declare family_id: ForeignKey<number | string>;
  declare blacklisted_at: Date;
}

/** The attributes of {@link BlacklistedTokenFamily} on this dialect. */
export function blacklistedTokenFamilyAttributes(sequelize: Sequelize): ModelAttributes<BlacklistedTokenFamily> {
  return {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    family_id: { type: DataTypes.BIGINT, allowNull: false, unique: true },
    blacklisted_at: { type: timestampType(sequelize), allowNull: false },
  };
}
