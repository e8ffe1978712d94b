import type { Sequelize, Transaction } from 'sequelize';
import { isOutage } from '../lib/storage/fail-closed';
import { destroyPooled, within } from './driver-query';
import { deadlinePassed } from './group-commit';
import { sqlDialect } from './sql-dialect';
import { statementTimeout } from './timeouts';

/** The connection SQLite write transactions run on: one per Sequelize instance, kept open. */
const SQLITE_WRITER = 'passport-simplejwt-writer';
/** The id Sequelize's logging shows for the statements of a PostgreSQL or MySQL/MariaDB write transaction. */
const SERVER_WRITER = 'passport-simplejwt-transaction';

interface SqliteConnection {
  configure(option: 'busyTimeout', ms: number): void;
  close(callback?: (err: Error | null) => void): void;
  filename?: string;
}
interface ConnectionManager {
  getConnection(options: { uuid?: string; type: 'write' }): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void> | void;
  /** SQLite: the open connections, by uuid. */
  connections?: Record<string, unknown>;
}

/** Sequelize's isolation levels, the only values written into SET TRANSACTION. */
const ISOLATION_LEVELS = new Set(['READ UNCOMMITTED', 'READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE']);

function checkDeadline(deadline: number): void {
  if (Date.now() >= deadline) throw deadlinePassed();
}

/**
 * Runs `work` in one write transaction that commits before `deadline`
 * (epoch ms) or rolls back: the deadline is checked once the transaction
 * holds its locks and again just before COMMIT, so a write whose request
 * has given up is never committed.
 *
 * No connection is left inside a transaction: one whose ROLLBACK fails, or
 * whose COMMIT's outcome is unknown, is closed (see each dialect below).
 *
 * On SQLite it runs on a connection of its own, kept open, with
 * `BEGIN IMMEDIATE` (the write lock at once: no deadlock upgrading a read
 * lock) and a busy timeout of the time left, so waiting for another
 * process's lock ends with the deadline. Callers serialise their
 * transactions (the group commit does). On PostgreSQL and MySQL/MariaDB it
 * runs on a connection of Sequelize's pool, with BEGIN/COMMIT of its own.
 */
export async function writeTransaction<T>(sequelize: Sequelize, deadline: number, work: (transaction: Transaction) => Promise<T>): Promise<T> {
  checkDeadline(deadline);
  if (sqlDialect(sequelize) !== 'sqlite') return serverTransaction(sequelize, deadline, work);
  const manager = sequelize.connectionManager as unknown as ConnectionManager;
  const connection = (await manager.getConnection({ uuid: SQLITE_WRITER, type: 'write' })) as SqliteConnection;
  connection.configure('busyTimeout', Math.max(1, deadline - Date.now()));
  // Sequelize's own queries take a transaction; this one is a connection with BEGIN/COMMIT of our own.
  const transaction = { connection, id: SQLITE_WRITER } as unknown as Transaction;
  const statement = (sql: string) => sequelize.query(sql, { transaction, retry: { max: 1 } } as never);
  await statement('BEGIN IMMEDIATE');
  try {
    checkDeadline(deadline);
    const result = await work(transaction);
    checkDeadline(deadline);
    await statement('COMMIT');
    return result;
  } catch (err) {
    // A writer left inside its transaction would hold the database's write lock for good.
    await statement('ROLLBACK').catch(() => closeSqliteWriter(manager, connection));
    throw err;
  }
}

/**
 * Closes the SQLite writer connection, which rolls back whatever it holds and
 * releases its lock; the next write transaction opens a new one. An
 * in-memory database is one connection shared by every query (Sequelize
 * keys it apart from the writer): closing it would lose the data, so it is
 * left as it is.
 */
function closeSqliteWriter(manager: ConnectionManager, connection: SqliteConnection): void {
  const connections = manager.connections;
  if (connection.filename === ':memory:' || connections?.[SQLITE_WRITER] !== connection) return;
  delete connections[SQLITE_WRITER];
  connection.close(() => undefined);
}

/**
 * `work` in a transaction on a connection of Sequelize's pool, the primary
 * with read replicas. Once the deadline has passed nothing may commit, so a
 * statement still waiting then is given up with its connection (mysql2 has
 * no query timeout; a black-holed pg client would hold the group commit for
 * its `query_timeout` more). The connection is destroyed, not pooled, after
 * a timeout or an outage error (destroying it rolls the transaction back on
 * the server), a failed ROLLBACK, or a COMMIT that did not answer.
 */
async function serverTransaction<T>(sequelize: Sequelize, deadline: number, work: (transaction: Transaction) => Promise<T>): Promise<T> {
  const manager = sequelize.connectionManager as unknown as ConnectionManager;
  // A pool that cannot hand out a connection before the deadline must not hold the group commit behind it.
  const acquiring = manager.getConnection({ type: 'write' });
  const connection = await within(acquiring, Math.max(1, deadline - Date.now()), () => {
    acquiring.then((late) => manager.releaseConnection(late)).catch(() => undefined);
  });
  const transaction = { connection, id: SERVER_WRITER } as unknown as Transaction;
  const statement = (sql: string) => sequelize.query(sql, { transaction, raw: true });
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    destroyPooled(sequelize, connection);
  };
  const timeout = statementTimeout(sequelize);
  let committing = false;
  /** Whether the work failed only the deadline check: the connection answered, a ROLLBACK is enough. */
  let late = false;
  const checkInTime = () => {
    late = Date.now() >= deadline;
    checkDeadline(deadline);
  };
  try {
    const result = await within(
      (async () => {
        await begin(sequelize, statement);
        checkInTime();
        const done = await work(transaction);
        checkInTime();
        return done;
      })(),
      Math.max(1, deadline - Date.now()),
      destroy,
    );
    committing = true;
    // Every request of the batch has given up once storageTimeout has passed since COMMIT was sent.
    await within(statement('COMMIT'), timeout, destroy);
    await manager.releaseConnection(connection);
    return result;
  } catch (err) {
    if (committing || (isOutage(err) && !late)) destroy();
    if (!destroyed) {
      try {
        await within(statement('ROLLBACK'), timeout, destroy);
        await manager.releaseConnection(connection);
      } catch {
        destroy();
      }
    }
    throw err;
  }
}

/** START TRANSACTION, at Sequelize's `isolationLevel` if one is set (MySQL sets it before, PostgreSQL inside). */
async function begin(sequelize: Sequelize, statement: (sql: string) => Promise<unknown>): Promise<void> {
  const level = (sequelize as unknown as { options: { isolationLevel?: unknown } }).options.isolationLevel;
  const isolation = typeof level === 'string' && ISOLATION_LEVELS.has(level) ? `SET TRANSACTION ISOLATION LEVEL ${level}` : undefined;
  if (isolation !== undefined && sqlDialect(sequelize) === 'mysql') await statement(isolation);
  await statement('START TRANSACTION');
  if (isolation !== undefined && sqlDialect(sequelize) === 'postgres') await statement(isolation);
}
