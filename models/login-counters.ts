import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Sequelize } from 'sequelize';
import { LOGIN_THROTTLE_TABLE } from '../lib/services/login-throttle';
import type { FailureCounter, FailureCounterOptions } from '../lib/storage';
import { driverRows, sqliteRowsOn } from './driver-query';
import { sqlDialect, type SqlDialect } from './sql-dialect';

/**
 * SQLite's counters run on a connection of their own: a counter write that
 * waits for the write lock must not hold up the hot path's reads queued on
 * Sequelize's shared connection. An in-memory database has one connection.
 */
const SQLITE_COUNTERS = 'passport-simplejwt-login-throttle';

/** Expired counters are deleted at most this often (milliseconds), by the write that finds the time come. */
const SWEEP_EVERY_MS = 5 * 60 * 1000;

/** rate-limiter-flexible's table shape, which earlier versions created: their tables keep working. */
const CREATE: Record<SqlDialect, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS ${LOGIN_THROTTLE_TABLE} (key TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire INTEGER)`,
  postgres: `CREATE TABLE IF NOT EXISTS ${LOGIN_THROTTLE_TABLE} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
  mysql:
    `CREATE TABLE IF NOT EXISTS ${LOGIN_THROTTLE_TABLE} (\`key\` VARCHAR(255) CHARACTER SET utf8 NOT NULL, ` +
    '`points` INT(9) NOT NULL DEFAULT 0, `expire` BIGINT UNSIGNED, PRIMARY KEY (`key`)) ENGINE = INNODB',
};

/**
 * One statement adds `$2` points to `$1` (a new window ending at `$3` when
 * the last one ended by `$4`, now) and answers the count and its end: no
 * transaction, so no failure can leave one open on a connection.
 */
const ADD: Record<SqlDialect, string> = {
  sqlite: upsertReturning(LOGIN_THROTTLE_TABLE),
  postgres: upsertReturning(LOGIN_THROTTLE_TABLE),
  // MariaDB: the assignments run left to right, so `points` is set while `expire` still holds the old end.
  mysql:
    `INSERT INTO ${LOGIN_THROTTLE_TABLE} (\`key\`, points, expire) VALUES ($1, $2, $3) ` +
    'ON DUPLICATE KEY UPDATE points = IF(expire <= $4, $2, points + $2), expire = IF(expire <= $4, $3, expire) RETURNING points, expire',
};

function upsertReturning(table: string): string {
  return (
    `INSERT INTO ${table} (key, points, expire) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET ` +
    `points = CASE WHEN ${table}.expire <= $4 THEN $2 ELSE ${table}.points + $2 END, ` +
    `expire = CASE WHEN ${table}.expire <= $4 THEN $3 ELSE ${table}.expire END RETURNING points, expire`
  );
}

/** Gives points back within the window; a counter whose window ended is left to expire. */
const GIVE_BACK: Record<SqlDialect, string> = {
  sqlite: `UPDATE ${LOGIN_THROTTLE_TABLE} SET points = MAX(points - $2, 0) WHERE key = $1 AND expire > $3`,
  postgres: `UPDATE ${LOGIN_THROTTLE_TABLE} SET points = GREATEST(points - $2, 0) WHERE key = $1 AND expire > $3`,
  mysql: `UPDATE ${LOGIN_THROTTLE_TABLE} SET points = GREATEST(CAST(points AS SIGNED) - $2, 0) WHERE \`key\` = $1 AND expire > $3`,
};

const SWEEP = `DELETE FROM ${LOGIN_THROTTLE_TABLE} WHERE expire < $1`;

type SqliteConnection = { configure(option: 'busyTimeout', ms: number): void };

/** Where one database's counters run: SQLite's own connection, else Sequelize's pool. */
type Run = <T extends object>(sql: string, bind: unknown[]) => Promise<T[]>;

/** The table made once per database (a failed attempt is tried again by the next call). */
const tables = new WeakMap<Sequelize, Promise<Run>>();

/** The counters' statements: on SQLite a connection of their own waiting for locks up to `busyTimeoutMs`, else the pool. */
async function runnerOf(sequelize: Sequelize, busyTimeoutMs: number): Promise<Run> {
  if (sqlDialect(sequelize) !== 'sqlite') return (sql, bind) => driverRows(sequelize, sql, bind);
  const manager = sequelize.connectionManager as unknown as { getConnection(options: object): Promise<SqliteConnection> };
  const connection = await manager.getConnection({ uuid: SQLITE_COUNTERS, type: 'write' });
  connection.configure('busyTimeout', busyTimeoutMs);
  return (sql, bind) => sqliteRowsOn(sequelize, connection, sql, bind);
}

function countersOf(sequelize: Sequelize, busyTimeoutMs: number): Promise<Run> {
  let ready = tables.get(sequelize);
  if (ready === undefined) {
    ready = runnerOf(sequelize, busyTimeoutMs).then(async (run) => {
      await run(CREATE[sqlDialect(sequelize)], []);
      return run;
    });
    ready.catch(() => tables.delete(sequelize));
    tables.set(sequelize, ready);
  }
  return ready;
}

/**
 * Failed-login counters in the apps' database (`loginThrottle.store:
 * 'database'`), fixed windows, each change one atomic statement. Over its
 * points, `consume()` rejects with a `RateLimiterRes`, as
 * rate-limiter-flexible's limiters do.
 */
export class DatabaseFailureCounter implements FailureCounter {
  /** When each database's expired counters were last deleted. */
  private static readonly swept = new WeakMap<Sequelize, number>();

  constructor(
    private readonly sequelize: Sequelize,
    private readonly options: FailureCounterOptions,
  ) {
    const dialect = sequelize.getDialect();
    if (!['sqlite', 'postgres', 'mysql', 'mariadb'].includes(dialect)) {
      throw new TypeError(`passport-simplejwt: 'loginThrottle.store' 'database' works on sqlite, postgres and mysql (MariaDB through mysql2), not ${dialect}`);
    }
  }

  async consume(key: string): Promise<RateLimiterRes> {
    const { points, duration, keyPrefix } = this.options;
    const run = await this.runner();
    const now = Date.now();
    const [row] = await run<{ points: number | string; expire: number | string }>(ADD[sqlDialect(this.sequelize)], [
      `${keyPrefix}:${key}`,
      1,
      now + duration * 1000,
      now,
    ]);
    this.sweep(run, now);
    const consumed = Number(row.points);
    const res = new RateLimiterRes(Math.max(points - consumed, 0), Math.max(Number(row.expire) - now, 0), consumed, consumed === 1);
    if (consumed > points) throw res;
    return res;
  }

  async reward(key: string): Promise<void> {
    const run = await this.runner();
    await run(GIVE_BACK[sqlDialect(this.sequelize)], [`${this.options.keyPrefix}:${key}`, 1, Date.now()]);
  }

  private runner(): Promise<Run> {
    return countersOf(this.sequelize, this.options.timeoutMs);
  }

  /** Deletes the counters that ended over an hour ago, at most every few minutes per database; its failure is no login's. */
  private sweep(run: Run, now: number): void {
    const last = DatabaseFailureCounter.swept.get(this.sequelize);
    if (last !== undefined && now - last < SWEEP_EVERY_MS) return;
    DatabaseFailureCounter.swept.set(this.sequelize, now);
    run(SWEEP, [now - 60 * 60 * 1000]).catch(() => undefined);
  }
}
