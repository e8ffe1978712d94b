import type { Sequelize, Transaction } from 'sequelize';
import { deadlinePassed } from './group-commit';
import { sqlDialect } from './sql-dialect';

/** The connection SQLite write transactions run on: one per Sequelize instance, kept open. */
const SQLITE_WRITER = 'passport-simplejwt-writer';

type SqliteConnection = { configure(option: 'busyTimeout', ms: number): void };

function checkDeadline(deadline: number): void {
  if (Date.now() >= deadline) throw deadlinePassed();
}

/**
 * Runs `work` in one write transaction that commits before `deadline`
 * (epoch ms) or rolls back: the deadline is checked once the transaction
 * holds its locks and again just before COMMIT, so a write whose request
 * has given up is never committed.
 *
 * On SQLite it runs on a connection of its own, kept open, with
 * `BEGIN IMMEDIATE` (the write lock at once: no deadlock upgrading a read
 * lock) and a busy timeout of the time left, so waiting for another
 * process's lock ends with the deadline. Callers serialise their
 * transactions (the group commit does). On PostgreSQL and MySQL/MariaDB it
 * is a Sequelize transaction from the pool.
 */
export async function writeTransaction<T>(sequelize: Sequelize, deadline: number, work: (transaction: Transaction) => Promise<T>): Promise<T> {
  checkDeadline(deadline);
  if (sqlDialect(sequelize) !== 'sqlite') {
    return sequelize.transaction(async (transaction) => {
      checkDeadline(deadline);
      const result = await work(transaction);
      checkDeadline(deadline);
      return result;
    });
  }
  const connection = (await sequelize.connectionManager.getConnection({ uuid: SQLITE_WRITER, type: 'write' } as never)) as unknown as SqliteConnection;
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
    await statement('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
