import { DataTypes } from 'sequelize';
import type { RunnableMigration } from 'umzug';
import type { MigrationContext } from './schema';

const FAMILY = 'token_family_tokenfamily';
const SESSION = 'passport_simplejwt_session';

/**
 * This package's side table of session metadata (docs/sessions.md): user
 * agent, client address, last use of each token family started here. Simple
 * JWT's tables are left untouched, so a Django service keeps sharing them.
 */
export const tokenFamily0002Sessions: RunnableMigration<MigrationContext> = {
  name: 'token_family.0002_sessions',
  async up({ context: { queryInterface } }) {
    if (await queryInterface.tableExists(SESSION)) return;
    await queryInterface.createTable(SESSION, {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true, allowNull: false },
      family_id: {
        type: DataTypes.BIGINT,
        allowNull: false,
        unique: true,
        references: { model: FAMILY, key: 'id' },
        onDelete: 'CASCADE',
      },
      created_at: { type: DataTypes.DATE(6), allowNull: false },
      last_used_at: { type: DataTypes.DATE(6), allowNull: false },
      user_agent: { type: DataTypes.STRING(256), allowNull: true },
      ip: { type: DataTypes.STRING(64), allowNull: true },
    });
  },
  async down({ context: { queryInterface } }) {
    await queryInterface.dropTable(SESSION);
  },
};
