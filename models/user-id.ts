import { DataTypes, type ModelAttributeColumnOptions } from 'sequelize';

/**
 * The nullable `user_id` column. This package creates it as varchar(255) so
 * integer and UUID user ids both fit; a table created by Django has an
 * integer (or uuid) foreign key to the user table instead, which the
 * databases convert to and from the string this attribute reads and writes.
 */
export function userIdAttribute(): ModelAttributeColumnOptions {
  return {
    type: DataTypes.STRING(255),
    allowNull: true,
    get(this: { getDataValue(key: string): unknown }): string | null {
      const value = this.getDataValue('user_id');
      return value === null || value === undefined ? null : String(value);
    },
  };
}
