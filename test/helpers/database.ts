/**
 * A fresh database for each test. SQLite in a temporary file by default;
 * with TEST_DATABASE_URL (postgres://…, mysql://…, mariadb://…) that database,
 * with this package's tables dropped and re-migrated for every test. When
 * TEST_DATABASE_URL is set but cannot be reached, the test fails: it never
 * silently falls back to SQLite or skips.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx mocha
 *   TEST_DATABASE_URL=mysql://root@127.0.0.1:3306/test npx mocha
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sequelize } from 'sequelize';
import type { Apps } from '../../lib';
import { migrate } from '../../models/migrate';
import { formatSqliteDateTime } from '../../models/timestamp';

export type TestDialect = 'sqlite' | 'postgres' | 'mysql';

/** One test's database. */
export interface TestDatabase {
  sequelize: Sequelize;
  dialect: TestDialect;
  /** A URL the CLI accepts for this same database. */
  url: string;
  close(): Promise<void>;
}

/** Tables the tests may create, children first: this package's, and a stand-in for Django's user table. */
export const TEST_TABLES = [
  'passport_simplejwt_tokenrotation',
  'passport_simplejwt_session',
  'token_blacklist_blacklistedtoken',
  'token_blacklist_outstandingtoken',
  'token_family_blacklistedtokenfamily',
  'token_family_tokenfamily',
  'passport_simplejwt_migrations',
  'auth_user',
];

export interface OpenOptions {
  /** The apps to migrate, or false for an empty database. Default: both apps. */
  migrate?: Apps | false;
}

const open = new Set<TestDatabase>();

/** The database URL of the run, if the run targets a server. */
export function testDatabaseUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL?.trim();
  return url ? url : undefined;
}

function serverDialect(url: string): TestDialect {
  const protocol = url.slice(0, url.indexOf(':')).toLowerCase();
  if (protocol === 'postgres' || protocol === 'postgresql') return 'postgres';
  if (protocol === 'mysql' || protocol === 'mariadb') return 'mysql';
  throw new Error(`TEST_DATABASE_URL: unsupported database '${protocol}' (use postgres://, mysql:// or mariadb://)`);
}

/** Opens a fresh database for one test; close it with `close()` or `useTestDatabase()`. */
export async function openTestDatabase(options: OpenOptions = {}): Promise<TestDatabase> {
  const serverUrl = testDatabaseUrl();
  let db: TestDatabase;
  if (serverUrl === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'sjwt-test-'));
    const file = join(dir, 'db.sqlite3');
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: file, logging: false });
    db = {
      sequelize,
      dialect: 'sqlite',
      url: `sqlite://${file}`,
      async close() {
        open.delete(db);
        await closeQuietly(sequelize);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } else {
    const dialect = serverDialect(serverUrl);
    const url = dialect === 'mysql' ? serverUrl.replace(/^mariadb:/i, 'mysql:') : serverUrl;
    const sequelize = new Sequelize(url, { logging: false, pool: { max: 10 } });
    try {
      await sequelize.authenticate();
    } catch (err) {
      await sequelize.close();
      throw new Error(`TEST_DATABASE_URL=${serverUrl} cannot be reached: ${(err as Error).message}`);
    }
    const queryInterface = sequelize.getQueryInterface();
    for (const table of TEST_TABLES) await queryInterface.dropTable(table, { cascade: dialect === 'postgres' });
    db = {
      sequelize,
      dialect,
      url: serverUrl,
      async close() {
        open.delete(db);
        await closeQuietly(sequelize);
      },
    };
  }
  open.add(db);
  const apps = options.migrate ?? { blacklist: true, tokenFamily: true };
  if (apps !== false) await migrate(db.sequelize, apps);
  return db;
}

/** Closes a connection a test may already have closed (to simulate an outage). */
async function closeQuietly(sequelize: Sequelize): Promise<void> {
  try {
    await sequelize.close();
  } catch {
    // already closed by the test
  }
}

/** Closes every database the current test opened. */
export async function closeTestDatabases(): Promise<void> {
  for (const db of [...open]) await db.close();
}

/**
 * Call inside a `describe`: returns `openTestDatabase`, and closes what each
 * test opened after it.
 */
export function useTestDatabase(): (options?: OpenOptions) => Promise<TestDatabase> {
  afterEach(closeTestDatabases);
  return openTestDatabase;
}

/** A timestamp as a SQL literal, written the way Django writes it on this dialect. */
export function djangoTimestampSql(dialect: TestDialect, date: Date): string {
  const naive = formatSqliteDateTime(date); // 'YYYY-MM-DD HH:MM:SS.ffffff', UTC
  if (dialect === 'postgres') return `'${naive}+00:00'`;
  return `'${naive}'`;
}
