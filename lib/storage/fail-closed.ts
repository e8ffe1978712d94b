import { ServerError, ServiceUnavailable, SimpleJWTError } from '../errors';
import { causeChain, type Logger } from '../logger';

/**
 * What the package's own adapters (the Redis cache) reject with when their
 * service cannot answer: always an outage.
 */
export class OutageError extends Error {
  override name = 'OutageError';
}

/** Sequelize's errors for a database it cannot reach or wait for (a name, since the app's copy of Sequelize is not ours). */
const OUTAGE_ERROR_NAMES = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionTimedOutError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeHostNotFoundError',
  'SequelizeHostNotReachableError',
  'SequelizeTimeoutError',
]);

/**
 * Driver and socket codes of an outage: the connection refused, reset or timed
 * out, the server shutting down or full, a lock not granted in time (SQLite
 * busy/locked beyond its busy timeout, MySQL's lock wait, PostgreSQL's
 * lock_not_available, statement timeout, deadlock or serialization failure).
 */
const OUTAGE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_SERVER_SHUTDOWN',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  '53300',
  '55P03',
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '40P01',
  '40001',
]);
/** PostgreSQL's SQLSTATE class 08: connection exception. */
const PG_CONNECTION_EXCEPTION = /^08[0-9A-Z]{3}$/;

/**
 * Lost or silent connections that drivers report as plain Errors, known only
 * by their message: pg's socket closed under a query, pg's client-side
 * `query_timeout` (which storageTimeout sets) and connection timeout,
 * mysql2's command on a closed connection, and Sequelize's pool once
 * `sequelize.close()` ran (an app shutting down while requests are in flight).
 */
const CONNECTION_LOST_MESSAGES = [
  /^Connection terminated/,
  /^Query read timeout$/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable/,
  /^Can't add new command when connection is in closed state/,
  /^ConnectionManager\.getConnection was called after the connection manager was closed/,
];

/** Driver codes of a table or column that does not exist: the migrations were not run. */
const MISSING_SCHEMA_CODES = new Set(['42P01', '42703', 'ER_NO_SUCH_TABLE', 'ER_BAD_FIELD_ERROR']);
/** SQLite says it only in the message (its code is the generic SQLITE_ERROR). */
const SQLITE_MISSING_SCHEMA = /no such (table|column): (\S+)/;

function fieldOf(err: unknown, name: 'code' | 'name' | 'message'): string | undefined {
  const value = err !== null && typeof err === 'object' ? (err as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The errors an error stands for: its cause chain, and the members of an AggregateError (a host tried on IPv4 and IPv6). */
function everyError(err: unknown): unknown[] {
  return causeChain(err).flatMap((e) => (e instanceof AggregateError ? [e, ...e.errors.flatMap(everyError)] : [e]));
}

/** Whether an error means a service is down or overloaded (503, retry later) rather than a bug (500). */
export function isOutage(err: unknown): boolean {
  return everyError(err).some((e) => {
    if (e instanceof OutageError || e instanceof ServiceUnavailable) return true;
    const name = fieldOf(e, 'name');
    if (name !== undefined && OUTAGE_ERROR_NAMES.has(name)) return true;
    const message = fieldOf(e, 'message') ?? '';
    if (CONNECTION_LOST_MESSAGES.some((lost) => lost.test(message))) return true;
    const code = fieldOf(e, 'code');
    return code !== undefined && (OUTAGE_CODES.has(code) || PG_CONNECTION_EXCEPTION.test(code));
  });
}

/** The database's own words when a table or column of the apps is missing, else undefined. */
export function missingSchema(err: unknown): string | undefined {
  for (const e of everyError(err)) {
    const code = fieldOf(e, 'code');
    const message = fieldOf(e, 'message') ?? '';
    if ((code !== undefined && MISSING_SCHEMA_CODES.has(code)) || SQLITE_MISSING_SCHEMA.test(message)) return message;
  }
  return undefined;
}

/** The table a "no such table" error names, without its schema: SQLite, PostgreSQL (42P01), MySQL/MariaDB (ER_NO_SUCH_TABLE). */
const MISSING_TABLE = [/no such table: (\S+)/, /relation "([^"]+)" does not exist/, /Table '([^']+)' doesn't exist/];

/** The package's own tables: Simple JWT's apps (`token_blacklist_*`, `token_family_*`) and ours (`passport_simplejwt_*`). */
const PACKAGE_TABLE = /^(token_blacklist_|token_family_|passport_simplejwt_)/;

/** The table of the app's own (not one of the package's) a missing-table error names, else undefined. */
function missingAppTable(message: string): string | undefined {
  for (const pattern of MISSING_TABLE) {
    const name = pattern.exec(message)?.[1];
    if (name === undefined) continue;
    const table = name.slice(name.lastIndexOf('.') + 1);
    return PACKAGE_TABLE.test(table) ? undefined : table;
  }
  return undefined;
}

/**
 * Any error as the package error it answers with: the package's own pass;
 * an outage is a 503 (fail closed); anything else is a 500 `ServerError`
 * wrapping it, which names missing tables and the command that creates them.
 * With `logger` (the instance's setting), a 500 remembers where
 * `errorHandler()` logs it.
 */
export function asPackageError(err: unknown, logger?: Logger): SimpleJWTError {
  const error = toPackageError(err);
  if (logger !== undefined && error instanceof ServerError && error.logger === undefined) {
    Object.defineProperty(error, 'logger', { value: logger, enumerable: false, configurable: true });
  }
  return error;
}

function toPackageError(err: unknown): SimpleJWTError {
  if (err instanceof SimpleJWTError) return err;
  if (isOutage(err)) return new ServiceUnavailable(undefined, err);
  const schema = missingSchema(err);
  if (schema !== undefined) {
    const appTable = missingAppTable(schema);
    if (appTable !== undefined) {
      return new ServerError(
        `the app's table '${appTable}' does not exist (${schema}): create it with your app's migrations (it is not one of this package's tables, which \`npx passport-simplejwt migrate\` creates)`,
        err,
      );
    }
    return new ServerError(
      `the database lacks a table or column of the apps (${schema}): create them with \`npx passport-simplejwt migrate\` or \`await sj.migrate()\``,
      err,
    );
  }
  return new ServerError(`unexpected error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, err);
}

/**
 * Awaits storage work (database, cache, user store) and turns its failure
 * into the package error it answers with: an outage is a 503, never a pass;
 * anything else a 500 `ServerError`; the package's own errors unchanged.
 */
export async function failClosed<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw asPackageError(err);
  }
}
