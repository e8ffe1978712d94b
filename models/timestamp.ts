import { DataTypes, type DataType, type Sequelize } from 'sequelize';

/** Dialects whose DATETIME columns hold naive UTC values, as Django writes them. */
const NAIVE_UTC_DIALECTS = new Set(['sqlite', 'mysql', 'mariadb']);

/**
 * Django's text form of a datetime on SQLite: naive UTC
 * `YYYY-MM-DD HH:MM:SS.ffffff` (microseconds; JavaScript has milliseconds).
 */
export function formatSqliteDateTime(date: Date): string {
  const iso = date.toISOString(); // 2026-01-01T12:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

type DateTypeInstance = { key: string; toSql(): string; _stringify(value: unknown, options?: unknown): string };
// DataTypes.DATE is a proxy whose `new` ignores subclasses; extend the class behind it.
const BaseDate = (DataTypes.DATE as unknown as { prototype: { constructor: new () => DateTypeInstance } }).prototype.constructor;

/**
 * A DATETIME whose values are written in Django's SQLite format, so that
 * text comparisons (`expires_at <= now`) agree with rows a Django service
 * wrote. Reading is Sequelize's DATETIME parser (values are UTC).
 * Its own key keeps Sequelize from swapping it for the dialect's DATE.
 */
class SqliteDjangoDateTime extends BaseDate {
  static key = 'SJWT_SQLITE_DATETIME';
  override key = 'SJWT_SQLITE_DATETIME';

  override toSql(): string {
    return 'DATETIME';
  }

  override _stringify(value: unknown): string {
    const date = value instanceof Date ? value : new Date(value as string | number);
    return formatSqliteDateTime(date);
  }
}

/**
 * The model attribute type of a timestamp column on this dialect, stored as
 * Django stores it: SQLite text `YYYY-MM-DD HH:MM:SS.ffffff` (UTC), PostgreSQL
 * `timestamp with time zone`, MySQL/MariaDB `datetime(6)` (UTC).
 */
export function timestampType(sequelize: Sequelize): DataType {
  if (sequelize.getDialect() === 'sqlite') return new SqliteDjangoDateTime() as unknown as DataType;
  return DataTypes.DATE(6);
}

/**
 * Django stores naive UTC on SQLite and MySQL; Sequelize reads those columns
 * in its `timezone` option, so it must be UTC for the times to agree.
 */
export function assertUtcSequelize(sequelize: Sequelize): void {
  const timezone = (sequelize as unknown as { options: { timezone?: string } }).options.timezone ?? '+00:00';
  if (NAIVE_UTC_DIALECTS.has(sequelize.getDialect()) && !['+00:00', 'UTC', 'Etc/UTC', 'Z'].includes(timezone)) {
    throw new TypeError(
      `passport-simplejwt: the Sequelize instance has timezone '${timezone}'; the blacklist and family apps need '+00:00' (the default) on ${sequelize.getDialect()}, where Django stores UTC`,
    );
  }
}
