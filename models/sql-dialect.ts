import type { Sequelize } from 'sequelize';

/** The SQL dialects the hot path speaks. */
export type SqlDialect = 'sqlite' | 'postgres' | 'mysql';

/** The dialect family of `sequelize` (MariaDB speaks MySQL's). */
export function sqlDialect(sequelize: Sequelize): SqlDialect {
  const dialect = sequelize.getDialect();
  if (dialect === 'sqlite' || dialect === 'postgres') return dialect;
  if (dialect === 'mysql' || dialect === 'mariadb') return 'mysql';
  throw new TypeError(`passport-simplejwt: the apps do not support the '${dialect}' dialect`);
}
