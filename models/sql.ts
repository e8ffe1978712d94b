import type { Sequelize, Transaction } from 'sequelize';
import { driverRows } from './driver-query';
import type { SqlDialect } from './sql-dialect';
import { formatSqliteDateTime } from './timestamp';

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

/** Rows of a raw statement with bound parameters (a SELECT, or a write with RETURNING), on the driver connection. */
export function selectRows<T extends object>(sequelize: Sequelize, sql: string, bind: unknown[], transaction?: Transaction): Promise<T[]> {
  return driverRows<T>(sequelize, sql, bind, transaction);
}

/** Runs a raw write with bound parameters, on the driver connection. */
export async function execute(sequelize: Sequelize, sql: string, bind: unknown[], transaction?: Transaction): Promise<void> {
  await driverRows(sequelize, sql, bind, transaction);
}
