import { DataTypes } from 'sequelize';
import type { RunnableMigration } from 'umzug';
import { ensureIndex, type MigrationContext } from './schema';

const OUTSTANDING = 'token_blacklist_outstandingtoken';
const BLACKLISTED = 'token_blacklist_blacklistedtoken';

/**
 * Simple JWT's blacklist tables as its migrations leave them, plus an index
 * on `expires_at` (for the flush command) and on `user_id`. Tables that
 * already exist (created by a Django service) are kept as they are; only the
 * missing indexes are added.
 */
export const tokenBlacklist0001Initial: RunnableMigration<MigrationContext> = {
  name: 'token_blacklist.0001_initial',
  async up({ context: { queryInterface } }) {
    if (!(await queryInterface.tableExists(OUTSTANDING))) {
      await queryInterface.createTable(OUTSTANDING, {
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
        user_id: { type: DataTypes.STRING(255), allowNull: true },
        jti: { type: DataTypes.STRING(255), allowNull: false, unique: true },
        token: { type: DataTypes.TEXT, allowNull: false },
        created_at: { type: DataTypes.DATE(6), allowNull: true },
        expires_at: { type: DataTypes.DATE(6), allowNull: false },
      });
    }
    if (!(await queryInterface.tableExists(BLACKLISTED))) {
      await queryInterface.createTable(BLACKLISTED, {
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
        token_id: {
          type: DataTypes.BIGINT,
          allowNull: false,
          unique: true,
          references: { model: OUTSTANDING, key: 'id' },
          onDelete: 'CASCADE',
        },
        blacklisted_at: { type: DataTypes.DATE(6), allowNull: false },
      });
    }
    await ensureIndex(queryInterface, OUTSTANDING, ['expires_at'], 'token_blacklist_outstandingtoken_expires_at');
    await ensureIndex(queryInterface, OUTSTANDING, ['user_id'], 'token_blacklist_outstandingtoken_user_id');
  },
  async down({ context: { queryInterface } }) {
    await queryInterface.dropTable(BLACKLISTED);
    await queryInterface.dropTable(OUTSTANDING);
  },
};
