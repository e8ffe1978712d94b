import type { Sequelize, Transaction } from 'sequelize';
import { sqlDialect, type SqlDialect } from './sql-dialect';

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
}
interface MysqlConnection {
  execute(sql: string, values: unknown[], callback: Callback): void;
}
interface ConnectionManager {
  getConnection(options: { type: 'write' }): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void> | void;
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

async function onConnection<T>(dialect: SqlDialect, connection: unknown, sql: string, bind: unknown[], inTransaction: boolean): Promise<T[]> {
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
      const rows = await callbackRows<T>((callback) => (connection as MysqlConnection).execute(text, values, callback));
      return Array.isArray(rows) ? rows : [];
    }
  }
}

/**
 * Rows of `sql` outside a transaction on a SQLite connection the caller keeps
 * for itself (one `connectionManager.getConnection({ uuid })` gives).
 */
export function sqliteRowsOn<T extends object>(connection: unknown, sql: string, bind: unknown[]): Promise<T[]> {
  return onConnection<T>('sqlite', connection, sql, bind, false);
}

/**
 * Rows of `sql` (a SELECT, or a write with RETURNING) with `bind` bound, on
 * `transaction`'s connection or on one from Sequelize's pool.
 */
export async function driverRows<T extends object>(sequelize: Sequelize, sql: string, bind: unknown[], transaction?: Transaction): Promise<T[]> {
  const dialect = sqlDialect(sequelize);
  if (transaction) return onConnection<T>(dialect, (transaction as unknown as { connection: unknown }).connection, sql, bind, true);
  const manager = sequelize.connectionManager as unknown as ConnectionManager;
  // The primary even with read replicas: a replica's lag would let a token blacklisted a moment ago pass.
  const connection = await manager.getConnection({ type: 'write' });
  try {
    return await onConnection<T>(dialect, connection, sql, bind, false);
  } finally {
    // SQLite's shared connection stays open (Sequelize releases only transactions' own); a pool connection goes back.
    await manager.releaseConnection(connection);
  }
}
