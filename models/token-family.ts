import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type ModelAttributes, type Sequelize } from 'sequelize';
import { timestampType } from './timestamp';
import { userIdAttribute } from './user-id';

/** The token family app's table of families. */
export const TOKEN_FAMILY_TABLE = 'token_family_tokenfamily';

/**
 * A row of `token_family_tokenfamily`: one login's chain of rotated refresh
 * tokens, named by the `family_id` claim. Bound per database by `defineModels()`.
 *
 * @example
 * const { TokenFamily } = defineModels(sequelize);
 * const family = await TokenFamily.findOne({ where: { family_id: token.getFamilyId()! } });
 */
export class TokenFamily extends Model<InferAttributes<TokenFamily>, InferCreationAttributes<TokenFamily>> {
  declare id: CreationOptional<number | string>;
  declare user_id: string | null;
  /** The `family_id` claim (uuid4 hex). */
  declare family_id: string;
  declare created_at: Date;
  /** The `family_exp` claim as a date; null when the family never expires. */
  declare expires_at: Date | null;
}

/** The attributes of {@link TokenFamily} on this dialect. */
export function tokenFamilyAttributes(sequelize: Sequelize): ModelAttributes<TokenFamily> {
  return {
    id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
    user_id: userIdAttribute(),
    family_id: { type: DataTypes.STRING(255), allowNull: false, unique: true },
    created_at: { type: timestampType(sequelize), allowNull: false },
    expires_at: { type: timestampType(sequelize), allowNull: true },
  };
}
