import { Transaction, type Sequelize } from 'sequelize';

// The tail of each SQLite database's queue of write transactions.
const queues = new WeakMap<Sequelize, Promise<unknown>>();

/**
 * Runs `work` in a transaction that is atomic on every dialect. On SQLite
 * (one writer at a time whatever we do) the transactions of one process are
 * queued and begin IMMEDIATE: Sequelize opens a separate connection per
 * transaction, and fifty of them polling SQLite's busy handler at once would
 * exceed its timeout and fail; queued, each waits its turn instead. Other
 * processes on the same file still rely on SQLite's busy timeout (1 s in
 * node-sqlite3). On PostgreSQL and MySQL/MariaDB the database's own row locks
 * order concurrent transactions.
 */
export function writeTransaction<T>(sequelize: Sequelize, work: (transaction: Transaction) => Promise<T>): Promise<T> {
  if (sequelize.getDialect() !== 'sqlite') return sequelize.transaction(work);
  const previous = queues.get(sequelize) ?? Promise.resolve();
  const run = previous.then(() => sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, work));
  // The queue goes on whether this one committed or failed.
  queues.set(sequelize, run.catch(() => undefined));
  return run;
}
