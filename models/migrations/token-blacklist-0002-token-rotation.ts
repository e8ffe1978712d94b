import { DataTypes } from 'sequelize';
import type { RunnableMigration } from 'umzug';
import { ensureIndex, type MigrationContext } from './schema';

const OUTSTANDING = 'token_blacklist_outstandingtoken';
const ROTATION = 'passport_simplejwt_tokenrotation';

/**
 * This package's side table recording which token a rotated refresh token
 * was rotated into (for `refreshTokenReuseInterval`). Simple JWT's tables are
 * left untouched, so a Django service keeps reading and writing them.
 */
export const tokenBlacklist0002TokenRotation: RunnableMigration<MigrationContext> = {
  name: 'token_blacklist.0002_token_rotation',
  async up({ context: { queryInterface } }) {
    if (!(await queryInterface.tableExists(ROTATION))) {
      await queryInterface.createTable(ROTATION, {
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
        token_id: {
          type: DataTypes.BIGINT,
          allowNull: false,
          unique: true,
          references: { model: OUTSTANDING, key: 'id' },
          onDelete: 'CASCADE',
        },
        successor_id: {
          type: DataTypes.BIGINT,
          allowNull: false,
          references: { model: OUTSTANDING, key: 'id' },
          onDelete: 'CASCADE',
        },
        rotated_at: { type: DataTypes.DATE(6), allowNull: false },
      });
    }
    await ensureIndex(queryInterface, ROTATION, ['successor_id'], 'passport_simplejwt_tokenrotation_successor_id');
  },
  async down({ context: { queryInterface } }) {
    await queryInterface.dropTable(ROTATION);
  },
};
