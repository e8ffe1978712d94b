import type { Model, ModelStatic, Sequelize } from 'sequelize';
import { sqlDialect, type SqlDialect } from './sql-dialect';

type Convert = (value: unknown) => unknown;
const same: Convert = (value) => value;

/** Types whose driver value is the model's value on every dialect. */
// BOOLEAN too: SQLite and MySQL/MariaDB return 0/1, which the model itself reads as false/true.
const AS_STORED = new Set([
  'BOOLEAN',
  'INTEGER',
  'BIGINT',
  'SMALLINT',
  'MEDIUMINT',
  'TINYINT',
  'STRING',
  'TEXT',
  'CHAR',
  'CITEXT',
  'UUID',
  'UUIDV1',
  'UUIDV4',
  'DATEONLY',
  'DECIMAL',
  'ENUM',
]);

/** How a column of `type` (a Sequelize type key) reads back from the driver as the model gives it; undefined where not known. */
function converterFor(dialect: SqlDialect, type: string, timezone: string): Convert | undefined {
  if (AS_STORED.has(type)) return same;
  switch (type) {
    case 'DATE':
      // SQLite holds text ('2020-01-02 03:04:05.678 +00:00', or naive as Django writes it, read in Sequelize's timezone).
      return dialect === 'sqlite' ? (value) => (typeof value === 'string' ? new Date(value.includes('+') ? value : value + timezone) : value) : same;
    case 'JSON':
    case 'JSONB':
      return dialect === 'sqlite' ? (value) => (typeof value === 'string' ? JSON.parse(value) : value) : same;
    default:
      return undefined;
  }
}

/**
 * Turns a driver row of `names` (attributes of `model`, selected `AS` their
 * names) into the values Sequelize would give the model, or answers null
 * when some column's type is not one this knows (the caller then lets
 * Sequelize read the row).
 */
export function rowConverter(
  sequelize: Sequelize,
  model: ModelStatic<Model>,
  names: string[],
): ((row: Record<string, unknown>) => Record<string, unknown>) | null {
  const dialect = sqlDialect(sequelize);
  const timezone = (sequelize as unknown as { options: { timezone?: string } }).options.timezone ?? '+00:00';
  const attributes = model.getAttributes() as Record<string, { type?: { key?: string } }>;
  const converters: Array<[string, Convert]> = [];
  for (const name of names) {
    const convert = converterFor(dialect, attributes[name]?.type?.key ?? '', timezone);
    if (convert === undefined) return null;
    if (convert !== same) converters.push([name, convert]);
  }
  return (row) => {
    for (const [name, convert] of converters) {
      const value = row[name];
      if (value !== null && value !== undefined) row[name] = convert(value);
    }
    return row;
  };
}
