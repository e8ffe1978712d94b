import type { Sequelize } from 'sequelize';

/** Each Sequelize instance's storageTimeout in ms, as the first SimpleJWT on it set it. */
const statementTimeouts = new WeakMap<Sequelize, number>();

/**
 * How long a statement of the package may wait for the database before its
 * connection is given up for dead: the storageTimeout of the first SimpleJWT
 * on `sequelize`, else undefined (no limit of the package's own).
 */
export function statementTimeout(sequelize: Sequelize): number | undefined {
  return statementTimeouts.get(sequelize);
}

/**
 * The database's own timeouts, derived from `storageTimeout` (seconds) so
 * that storage gives up about when the request does:
 *
 * - SQLite: see `deriveSqliteBusyTimeout`; the rotation writer sets its
 *   own per transaction.
 * - PostgreSQL: pg's client-side `query_timeout` for connections opened
 *   from now on, unless `dialectOptions.query_timeout` was set (0: none).
 * - MySQL/MariaDB: mysql2 has no connection-wide query timeout; the
 *   request's deadline answers 503 and writes check it before committing;
 *   the hot path's own statements give up after `statementTimeout()`.
 */
export function deriveTimeouts(sequelize: Sequelize, storageTimeout: number): void {
  const ms = Math.round(storageTimeout * 1000);
  if (!statementTimeouts.has(sequelize)) statementTimeouts.set(sequelize, ms);
  const dialect = sequelize.getDialect();
  if (dialect === 'postgres') {
    const config = (sequelize.connectionManager as unknown as { config: { dialectOptions?: Record<string, unknown> } }).config;
    config.dialectOptions ??= {};
    config.dialectOptions.query_timeout ??= ms;
  }
}

/**
 * SQLite's busy timeout on Sequelize's connection, from `storageTimeout`
 * (seconds). Called when the apps' storage is first used, so a Sequelize
 * instance that never serves a request is never opened by the package.
 */
export function deriveSqliteBusyTimeout(sequelize: Sequelize, storageTimeout: number): void {
  if (sequelize.getDialect() !== 'sqlite') return;
  sequelize.connectionManager
    .getConnection({} as never)
    .then((connection) =>
      (connection as unknown as { configure(option: 'busyTimeout', ms: number): void }).configure('busyTimeout', Math.round(storageTimeout * 1000)),
    )
    .catch(() => undefined); // a file that cannot be opened fails the first query instead
}
