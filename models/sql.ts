import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { formatSqliteDateTime } from './timestamp';

/** The SQL dialects the hot path speaks. */
export type SqlDialect = 'sqlite' | 'postgres' | 'mysql';

/** The dialect family of `sequelize` (MariaDB speaks MySQL's). */
export function sqlDialect(sequelize: Sequelize): SqlDialect {
  const dialect = sequelize.getDialect();
  if (dialect === 'sqlite' || dialect === 'postgres') return dialect;
  if (dialect === 'mysql' || dialect === 'mariadb') return 'mysql';
  throw new TypeError(`passport-simplejwt: the apps do not support the '${dialect}' dialect`);
}

/**
 * A timestamp as a bound parameter, in the form each dialect stores
 * (naive UTC text on SQLite and MySQL/MariaDB, as Django writes it).
 */
export function sqlTime(dialect: SqlDialect, date: Date): string {
  return dialect === 'postgres' ? date.toISOString() : formatSqliteDateTime(date);
}

/** A timestamp read back by a raw query: a Date from the driver, or naive UTC text. */
export function readTime(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

/** `$1, $2, …` placeholders for `count` rows of `width` bound values each, as `(…), (…)`. */
export function valueRows(count: number, width: number, first = 1): string {
  const rows: string[] = [];
  for (let row = 0; row < count; row++) {
    const cells: string[] = [];
    for (let col = 0; col < width; col++) cells.push(`$${first + row * width + col}`);
    rows.push(`(${cells.join(', ')})`);
  }
  return rows.join(', ');
}

/** Rows of a raw statement with bound parameters (a SELECT, or a write with RETURNING). */
export function selectRows<T extends object>(sequelize: Sequelize, sql: string, bind: unknown[], transaction?: Transaction): Promise<T[]> {
  // Sequelize's SQLite layer runs a statement starting with INSERT without reading rows; a comment first keeps RETURNING's.
  const statement = sql.startsWith('INSERT') ? `/* returning */ ${sql}` : sql;
  return sequelize.query<T>(statement, { bind, type: QueryTypes.SELECT, transaction, raw: true });
}

/** Runs a raw write with bound parameters. */
export async function execute(sequelize: Sequelize, sql: string, bind: unknown[], transaction?: Transaction): Promise<void> {
  await sequelize.query(sql, { bind, type: QueryTypes.RAW, transaction, raw: true });
}
