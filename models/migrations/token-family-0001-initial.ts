import { DataTypes } from 'sequelize';
import type { RunnableMigration } from 'umzug';
import { ensureIndex, type MigrationContext } from './schema';

const FAMILY = 'token_family_tokenfamily';
const BLACKLISTED_FAMILY = 'token_family_blacklistedtokenfamily';

/**
 * The token family app's tables, plus indexes on `expires_at` (for the flush
 * command) and `user_id`. Existing tables (created by Django) are kept.
 */
export const tokenFamily0001Initial: RunnableMigration<MigrationContext> = {
  name: 'token_family.0001_initial',
  async up({ context: { queryInterface } }) {
    if (!(await queryInterface.tableExists(FAMILY))) {
      await queryInterface.createTable(FAMILY, {
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
        user_id: { type: DataTypes.STRING(255), allowNull: true },
        family_id: { type: DataTypes.STRING(255), allowNull: false, unique: true },
        created_at: { type: DataTypes.DATE(6), allowNull: false },
        expires_at: { type: DataTypes.DATE(6), allowNull: true },
      });
    }
    if (!(await queryInterface.tableExists(BLACKLISTED_FAMILY))) {
      await queryInterface.createTable(BLACKLISTED_FAMILY, {
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
        family_id: {
          type: DataTypes.BIGINT,
          allowNull: false,
          unique: true,
          references: { model: FAMILY, key: 'id' },
          onDelete: 'CASCADE',
        },
        blacklisted_at: { type: DataTypes.DATE(6), allowNull: false },
      });
    }
    await ensureIndex(queryInterface, FAMILY, ['expires_at'], 'token_family_tokenfamily_expires_at');
    await ensureIndex(queryInterface, FAMILY, ['user_id'], 'token_family_tokenfamily_user_id');
  },
  async down({ context: { queryInterface } }) {
    await queryInterface.dropTable(BLACKLISTED_FAMILY);
    await queryInterface.dropTable(FAMILY);
  },
};
