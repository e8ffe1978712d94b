import type { Sequelize, Transaction } from 'sequelize';
import { isOutage } from '../lib/storage/fail-closed';
import { sqlDialect, type SqlDialect } from './sql-dialect';
import { statementTimeout } from './timeouts';

/**
 * The hot path's statements, run on the driver connection Sequelize manages
 * (its pool, its configuration, its transactions) without Sequelize's query
 * layer, which costs more than the statement itself on a primary-key lookup:
 * a stack trace captured per query, and on SQLite a `PRAGMA table_info`
 * round trip before every SELECT that names a table. Parameters are always
 * bound by the driver: PostgreSQL and MySQL/MariaDB as prepared statements,
 * SQLite through `sqlite3_bind_*`.
 *
 * SQL is written with PostgreSQL's `$1, $2, …` placeholders.
 */

type Callback = (err: Error | null, rows: unknown) => void;
interface SqliteStatement {
  all(params: unknown[], callback: Callback): void;
  finalize(callback: () => void): void;
}
interface SqliteDatabase {
  all(sql: string, params: unknown[], callback: Callback): void;
  serialize(schedule: () => void): void;
  prepare(sql: string, callback: (err: Error | null) => void): SqliteStatement;
  close(callback?: (err: Error | null) => void): void;
}
interface PgClient {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
  connection?: { stream?: { destroy(): void } };
  /** Sequelize's mark of a client its pool must not hand out again. */
  _invalid?: boolean;
}
interface MysqlConnection {
  execute(sql: string, values: unknown[], callback: Callback): void;
  close(): void;
  stream?: { destroy(): void };
  /** mysql2's mark of a connection closed or closing. */
  _closing?: boolean;
}
interface ConnectionManager {
  getConnection(options: { type: 'write' }): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void> | void;
  /** Out of its pool for good (with read replication, the pool it came from), then disconnected. */
  destroyConnection(connection: unknown): Promise<void>;
}

/** The most distinct statements given a name (prepared once per connection) on PostgreSQL; others run unnamed. */
const MAX_NAMED_STATEMENTS = 512;
const pgNames = new Map<string, string>();
/** A statement as a dialect's driver takes it: its text, and for each placeholder in it the index of its bound value. */
interface DriverStatement {
  text: string;
  order: number[] | null;
}
/** Each dialect's form of a statement, converted once. */
const converted: Record<SqlDialect, Map<string, DriverStatement>> = { sqlite: new Map(), postgres: new Map(), mysql: new Map() };
const PLACEHOLDER = /\$(\d+)/g;

function statementFor(dialect: SqlDialect, sql: string): DriverStatement {
  let statement = converted[dialect].get(sql);
  if (statement === undefined) {
    if (dialect === 'postgres') statement = { text: sql, order: null };
    // SQLite numbers its parameters ?1, ?2, bound by number wherever they stand.
    else if (dialect === 'sqlite') statement = { text: sql.replace(PLACEHOLDER, '?$1'), order: null };
    // mysql2 takes plain ?s, bound in the order they stand.
    else statement = { text: sql.replace(PLACEHOLDER, '?'), order: [...sql.matchAll(PLACEHOLDER)].map((match) => Number(match[1]) - 1) };
    if (converted[dialect].size < MAX_NAMED_STATEMENTS * 4) converted[dialect].set(sql, statement);
  }
  return statement;
}

function pgName(sql: string): string | undefined {
  let name = pgNames.get(sql);
  if (name === undefined && pgNames.size < MAX_NAMED_STATEMENTS) {
    name = `passport_simplejwt_${pgNames.size + 1}`;
    pgNames.set(sql, name);
  }
  return name;
}

/** SQLite stores what JavaScript gives it; the values the hot path binds are strings, numbers and null. */
function sqliteValue(value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Most statements kept prepared on one SQLite connection (the hot path has a handful); past it, statements run unprepared. */
const MAX_SQLITE_STATEMENTS = 64;

/** The statements kept prepared on one SQLite connection, and the end of its queue. */
interface SqlitePrepared {
  statements: Map<string, Promise<SqliteStatement>>;
  tail: Promise<unknown>;
}
const sqlitePrepared = new WeakMap<SqliteDatabase, SqlitePrepared>();

function finalized(statement: Promise<SqliteStatement>): Promise<void> {
  return statement.then(
    (prepared) => new Promise<void>((resolve) => prepared.finalize(() => resolve())),
    () => undefined,
  );
}

function preparedOn(database: SqliteDatabase): SqlitePrepared {
  let prepared = sqlitePrepared.get(database);
  if (prepared === undefined) {
    const created: SqlitePrepared = { statements: new Map(), tail: Promise.resolve() };
    // SQLite refuses to close a connection with statements still prepared: finalize them first (Sequelize closes with close()).
    const close = database.close.bind(database);
    database.close = (callback) => {
      sqlitePrepared.delete(database);
      const open = [...created.statements.values()];
      created.statements.clear();
      void Promise.all(open.map(finalized)).then(() => close(callback));
    };
    sqlitePrepared.set(database, created);
    prepared = created;
  }
  return prepared;
}

/**
 * Rows of `text` on a SQLite connection outside a transaction, by a statement
 * prepared once and kept: node-sqlite3 otherwise prepares, runs and finalizes
 * each statement in three steps (two trips through libuv's threads, the
 * finalize on the main thread), which cost more than the lookup itself.
 */
function sqliteRows<T>(database: SqliteDatabase, text: string, params: unknown[]): Promise<T[]> {
  const prepared = preparedOn(database);
  let statement = prepared.statements.get(text);
  if (statement === undefined) {
    if (prepared.statements.size >= MAX_SQLITE_STATEMENTS) {
      return callbackRows<T>((callback) => database.serialize(() => database.all(text, params, callback)));
    }
    const preparing = new Promise<SqliteStatement>((resolve, reject) => {
      const created = database.prepare(text, (err) => (err ? reject(err) : resolve(created)));
    });
    preparing.catch(() => prepared.statements.delete(text));
    prepared.statements.set(text, preparing);
    statement = preparing;
  }
  const kept = statement;
  // One statement at a time on the connection, as Sequelize runs them: a statement waiting for a lock holds
  // one of libuv's four threads, and the queue must not let it take them all.
  const run = prepared.tail.then(() => kept).then((ready) => callbackRows<T>((callback) => ready.all(params, callback)));
  // A failed run leaves the statement usable (SQLite re-prepares it after a schema change by itself).
  prepared.tail = run.catch(() => undefined);
  return run;
}

function callbackRows<T>(run: (callback: Callback) => void): Promise<T[]> {
  return new Promise((resolve, reject) => run((err, rows) => (err ? reject(err) : resolve((rows ?? []) as T[]))));
}

/** The error of a statement that did not answer in time: an outage (ETIMEDOUT), its connection given up for dead. */
function statementTimedOut(ms: number): Error {
  return Object.assign(new Error(`passport-simplejwt: the database did not answer in time (${ms} ms); its connection is destroyed`), {
    code: 'ETIMEDOUT',
  });
}

/**
 * Closes a PostgreSQL or MySQL/MariaDB connection at once, its socket
 * destroyed: a graceful end (pg's Terminate, mysql2's COM_QUIT) waits on a
 * peer that may never answer, and leaves the socket open meanwhile. Both
 * drivers then mark the connection ending/closing, so Sequelize's
 * disconnect returns at once, and its pool's validation never hands it out.
 */
function tearDown(sequelize: Sequelize, connection: unknown): void {
  const dialect = sqlDialect(sequelize);
  if (dialect === 'postgres') {
    const client = connection as PgClient;
    client._invalid = true;
    client.connection?.stream?.destroy();
    client.end().catch(() => undefined);
  } else if (dialect === 'mysql') {
    const mysql = connection as MysqlConnection;
    if (mysql._closing !== true) mysql.close();
    mysql.stream?.destroy();
  }
}

/** A connection of Sequelize's pool (PostgreSQL, MySQL/MariaDB) that met a timeout or an outage: torn down and out of its pool, never handed out again. */
export function destroyPooled(sequelize: Sequelize, connection: unknown): void {
  tearDown(sequelize, connection);
  const manager = sequelize.connectionManager as unknown as ConnectionManager;
  // Not awaited: the slot is freed at once, the disconnect hooks run on their own.
  manager.destroyConnection(connection).catch(() => undefined);
}

/**
 * `work`, or `statementTimedOut(ms)` once `ms` have passed, and then
 * `giveUp()` runs (which tears the connection down); `ms` undefined or 0: no
 * limit.
 */
export function within<T>(work: Promise<T>, ms: number | undefined, giveUp: () => void): Promise<T> {
  if (ms === undefined || ms <= 0) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      giveUp();
      reject(statementTimedOut(ms));
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

async function onConnection<T>(
  sequelize: Sequelize,
  dialect: SqlDialect,
  connection: unknown,
  sql: string,
  bind: unknown[],
  inTransaction: boolean,
): Promise<T[]> {
  const { text, order } = statementFor(dialect, sql);
  switch (dialect) {
    case 'sqlite':
      // A transaction's connection lives for one batch: nothing to keep prepared there.
      if (!inTransaction) return sqliteRows<T>(connection as SqliteDatabase, text, bind.map(sqliteValue));
      // One statement at a time on the connection, as Sequelize runs them: node-sqlite3 finalizes a statement on the
      // main thread, which would block there while another statement holds the connection waiting for a lock.
      return callbackRows<T>((callback) => {
        const database = connection as SqliteDatabase;
        database.serialize(() => database.all(text, bind.map(sqliteValue), callback));
      });
    case 'postgres':
      return (await (connection as PgClient).query({ text, values: bind, name: pgName(sql) })).rows as T[];
    case 'mysql': {
      const values = order!.map((index) => bind[index]);
      // mysql2's execute answers a SELECT (or a RETURNING) with its rows, any other write with a result header.
      const executed = callbackRows<T>((callback) => (connection as MysqlConnection).execute(text, values, callback));
      // mysql2 has no query timeout that covers a command queued behind a hung one: the connection is torn down,
      // which also fails whatever else waits on it.
      const rows = await within(executed, statementTimeout(sequelize), () => tearDown(sequelize, connection));
      return Array.isArray(rows) ? rows : [];
    }
  }
}

/**
 * Rows of `sql` outside a transaction on a SQLite connection the caller keeps
 * for itself (one `connectionManager.getConnection({ uuid })` gives).
 */
export function sqliteRowsOn<T extends object>(sequelize: Sequelize, connection: unknown, sql: string, bind: unknown[]): Promise<T[]> {
  return onConnection<T>(sequelize, 'sqlite', connection, sql, bind, false);
}

/**
 * Rows of `sql` (a SELECT, or a write with RETURNING) with `bind` bound, on
 * `transaction`'s connection or on one from Sequelize's pool.
 *
 * A pool connection that met a timeout or an outage error is destroyed, not
 * returned: pg's `query_timeout` leaves a black-holed client in the pool, and
 * every request would meet it again. (A transaction's connection is its
 * owner's to destroy: see writeTransaction.)
 */
export async function driverRows<T extends object>(sequelize: Sequelize, sql: string, bind: unknown[], transaction?: Transaction): Promise<T[]> {
  const dialect = sqlDialect(sequelize);
  if (transaction) return onConnection<T>(sequelize, dialect, (transaction as unknown as { connection: unknown }).connection, sql, bind, true);
  const manager = sequelize.connectionManager as unknown as ConnectionManager;
  // The primary even with read replicas: a replica's lag would let a token blacklisted a moment ago pass.
  const connection = await manager.getConnection({ type: 'write' });
  let rows: T[];
  try {
    rows = await onConnection<T>(sequelize, dialect, connection, sql, bind, false);
  } catch (err) {
    // SQLite's shared connection is left open: outside a transaction a failed statement leaves nothing behind
    // (busy/locked is another connection's lock), and every request and the login throttle's counters share it.
    if (dialect !== 'sqlite' && isOutage(err)) destroyPooled(sequelize, connection);
    else await manager.releaseConnection(connection);
    throw err;
  }
  // SQLite's shared connection stays open (Sequelize releases only transactions' own); a pool connection goes back.
  await manager.releaseConnection(connection);
  return rows;
}
