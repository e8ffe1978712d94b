import { Transaction, type Sequelize, type TransactionOptions } from 'sequelize';

// The tail of each SQLite database's queue of writers.
const queues = new WeakMap<Sequelize, Promise<unknown>>();

/**
 * Runs `work` after the previous writer of this process on an SQLite
 * database; on PostgreSQL and MySQL/MariaDB at once (their row locks order
 * concurrent transactions). SQLite has one writer at a time whatever we do,
 * and Sequelize opens a separate connection per transaction: fifty of them
 * polling SQLite's busy handler at once exceed its timeout and fail, queued
 * each waits its turn. Other processes on the same file still rely on
 * SQLite's busy timeout (1 s in node-sqlite3).
 */
export function serialisedWrite<T>(sequelize: Sequelize, work: () => Promise<T>): Promise<T> {
  if (sequelize.getDialect() !== 'sqlite') return work();
  const run = (queues.get(sequelize) ?? Promise.resolve()).then(work);
  // The queue goes on whether this writer succeeded or failed.
  queues.set(sequelize, run.catch(() => undefined));
  return run;
}

/** Options of a write transaction: on SQLite it takes the write lock at BEGIN (IMMEDIATE), so it never deadlocks upgrading a read lock. */
export function writeTransactionOptions(sequelize: Sequelize): TransactionOptions {
  return sequelize.getDialect() === 'sqlite' ? { type: Transaction.TYPES.IMMEDIATE } : {};
}
