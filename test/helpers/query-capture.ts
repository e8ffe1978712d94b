/**
 * Every statement the package sends to the database, caught at the driver
 * (node-sqlite3's statements, pg's `Client#query`, mysql2's `query` and
 * `execute`): the hot path's statements bypass Sequelize's query layer
 * (models/driver-query.ts), so its `logging` option would miss them. And
 * each caught statement's plan, asked on the same database with the same
 * bound values (issue #25: no hot query may scan a token table).
 */
import mysql from 'mysql2';
import pg from 'pg';
import sqlite3 from 'sqlite3';
import type { Sequelize } from 'sequelize';
import type { TestDialect } from './database';

/** One statement as the driver received it. */
export interface CapturedStatement {
  sql: string;
  params: unknown;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

let recording: CapturedStatement[] | null = null;
let installed = false;
const originals = new Map<string, Method>();

function record(sql: unknown, params: unknown): void {
  if (recording !== null && typeof sql === 'string') recording.push({ sql, params });
}

function wrap(target: object, method: string, key: string, capture: (self: unknown, args: unknown[]) => void): void {
  const proto = target as Record<string, Method>;
  const original = proto[method];
  originals.set(key, original);
  proto[method] = function (this: unknown, ...args: unknown[]) {
    capture(this, args);
    return original.apply(this, args);
  };
}

/** The arguments before the callback, as node-sqlite3 takes its parameters (an array, an object, or values one by one). */
function sqliteParams(args: unknown[]): unknown {
  const values = typeof args[args.length - 1] === 'function' ? args.slice(0, -1) : args;
  if (values.length === 1 && typeof values[0] === 'object' && values[0] !== null) return values[0];
  return values;
}

/** Installs the capture once per process; it records only between `captureStatements` calls' start and end. */
function install(): void {
  if (installed) return;
  installed = true;
  const Statement = sqlite3.Statement.prototype as unknown as object;
  for (const method of ['all', 'run', 'get', 'each']) {
    wrap(Statement, method, `sqlite.${method}`, (self, args) => record((self as { sql: string }).sql, sqliteParams(args)));
  }
  wrap(sqlite3.Database.prototype, 'exec', 'sqlite.exec', (_self, args) => record(args[0], []));
  wrap(pg.Client.prototype, 'query', 'pg.query', (_self, args) => {
    const [first, second] = args;
    if (typeof first === 'string') record(first, Array.isArray(second) ? second : []);
    else if (first !== null && typeof first === 'object') {
      const config = first as { text?: string; values?: unknown[] };
      record(config.text, config.values ?? (Array.isArray(second) ? second : []));
    }
  });
  for (const method of ['query', 'execute']) {
    wrap(mysql.Connection.prototype, method, `mysql.${method}`, (_self, args) => {
      const [first, second] = args;
      const sql = typeof first === 'string' ? first : (first as { sql?: string } | null)?.sql;
      record(sql, Array.isArray(second) ? second : []);
    });
  }
}

/** The statements the drivers receive while `work` runs. */
export async function captureStatements(work: () => Promise<unknown>): Promise<CapturedStatement[]> {
  install();
  const caught: CapturedStatement[] = [];
  recording = caught;
  try {
    await work();
  } finally {
    recording = null;
  }
  return caught;
}

type ConnectionManager = {
  getConnection(options: { type: 'write' }): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void> | void;
};

function callback<T>(run: (done: (err: Error | null, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((err, result) => (err ? reject(err) : resolve(result))));
}

/** A plan row of each dialect, as its EXPLAIN answers it. */
export type PlanRows = Array<Record<string, unknown>>;

/**
 * The plan of `statement` on this dialect, by the original driver methods
 * (nothing is recorded): SQLite's `EXPLAIN QUERY PLAN`; PostgreSQL's
 * `EXPLAIN (FORMAT JSON)` with sequential scans, hash and merge joins off
 * in a transaction rolled back (a small table would otherwise be read whole
 * by choice, index or not);
 * MySQL/MariaDB's `EXPLAIN`.
 */
export async function explain(sequelize: Sequelize, dialect: TestDialect, statement: CapturedStatement): Promise<PlanRows> {
  install();
  const manager = sequelize.connectionManager as unknown as ConnectionManager;
  const connection = await manager.getConnection({ type: 'write' });
  try {
    if (dialect === 'sqlite') {
      const all = originals.get('sqlite.all')!;
      const prepared = (connection as sqlite3.Database).prepare(`EXPLAIN QUERY PLAN ${statement.sql}`);
      try {
        return await callback<PlanRows>((done) => all.call(prepared, statement.params, done));
      } finally {
        await new Promise<void>((resolve) => prepared.finalize(() => resolve()));
      }
    }
    if (dialect === 'postgres') {
      const query = originals.get('pg.query')! as (this: unknown, config: { text: string; values?: unknown[] }) => Promise<{ rows: PlanRows }>;
      await query.call(connection, { text: 'BEGIN' });
      try {
        // Nested loops over indexes, as the planner picks them on big tables: a hash join would read a small table whole.
        for (const setting of ['enable_seqscan', 'enable_hashjoin', 'enable_mergejoin']) await query.call(connection, { text: `SET LOCAL ${setting} = off` });
        const { rows } = await query.call(connection, { text: `EXPLAIN (FORMAT JSON) ${statement.sql}`, values: statement.params as unknown[] });
        return rows;
      } finally {
        await query.call(connection, { text: 'ROLLBACK' });
      }
    }
    const query = originals.get('mysql.query')!;
    return await callback<PlanRows>((done) => query.call(connection, `EXPLAIN ${statement.sql}`, statement.params, done));
  } finally {
    await manager.releaseConnection(connection);
  }
}
