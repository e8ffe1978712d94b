/**
 * The stateful bench apps' storage: an SQLite file or the PostgreSQL
 * database of BENCH_PG_URL, holding the blacklist and family tables and a
 * user row, and a pool of refresh tokens recorded as earlier logins would
 * have (outstanding and family rows), so each rotation spends a fresh one.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { DataTypes, Model, QueryTypes, Sequelize, type ModelStatic } from 'sequelize';
import { SimpleJWT } from '../lib';
import { defineModels, migrate } from '../models';
import { TEST_TABLES } from '../test/helpers/database';

export type Store = 'sqlite' | 'postgres';

/** The bench apps' user (one row, id 1). */
export interface BenchUser {
  id: number;
  username: string;
  is_active: boolean;
}

/** The PostgreSQL database of the bench (a pool of several connections). */
export const BENCH_PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test_i9';
const PG_POOL = 10;

/** The SQLite file's journal mode: WAL as docs/production.md recommends (BENCH_SQLITE_JOURNAL=delete: SQLite's default). */
export const SQLITE_JOURNAL = (process.env.BENCH_SQLITE_JOURNAL ?? 'wal').toUpperCase();

export class BenchUserRow extends Model {}

export function openStore(store: Store, sqliteFile: string, pgUrl = BENCH_PG_URL): Sequelize {
  return store === 'sqlite'
    ? new Sequelize({ dialect: 'sqlite', storage: sqliteFile, logging: false })
    : new Sequelize(pgUrl, { logging: false, pool: { max: PG_POOL, min: PG_POOL } });
}

/** Creates the PostgreSQL database of `url` when it does not exist. */
export async function ensurePgDatabase(url: string): Promise<void> {
  const parsed = new URL(url);
  const name = parsed.pathname.slice(1);
  parsed.pathname = '/postgres';
  const admin = new Sequelize(parsed.toString(), { logging: false });
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = :name', { replacements: { name }, type: QueryTypes.SELECT });
    if (found.length === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.close();
  }
}

export function userModel(sequelize: Sequelize): ModelStatic<BenchUserRow> {
  const User = class extends BenchUserRow {};
  User.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true },
      username: { type: DataTypes.STRING(150), allowNull: false },
      password: { type: DataTypes.STRING(128), allowNull: false },
      is_active: { type: DataTypes.BOOLEAN, allowNull: false },
    },
    { sequelize, tableName: 'bench_user', timestamps: false },
  );
  return User;
}

// The package's tables (as the tests drop them) and the bench's user table.
const APP_TABLES = [...TEST_TABLES.filter((table) => table !== 'auth_user'), 'bench_user'];

/** The package's tables (and the bench's user table) dropped, then both apps' tables migrated afresh. */
export async function resetTables(sequelize: Sequelize): Promise<void> {
  for (const table of APP_TABLES) await sequelize.getQueryInterface().dropTable(table);
  await migrate(sequelize, { blacklist: true, tokenFamily: true });
}

/** Fresh tables, the user row, and `count` refresh tokens per pool recorded as outstanding with their family. */
export async function prepareStore(
  store: Store,
  sqliteFile: string,
  secret: string,
  user: BenchUser,
  pools: Record<string, number>,
  poolDir: string,
): Promise<void> {
  const sequelize = openStore(store, sqliteFile);
  try {
    // As docs/production.md recommends for an SQLite file in production (it persists in the file): --journal=delete measures the default.
    if (store === 'sqlite') await sequelize.query(`PRAGMA journal_mode=${SQLITE_JOURNAL}`);
    await resetTables(sequelize);
    const User = userModel(sequelize);
    await User.sync();
    await User.create({ ...user, password: 'unused' });
    for (const [name, count] of Object.entries(pools)) {
      writeFileSync(`${poolDir}/${name}.json`, JSON.stringify(await recordRefreshTokens(sequelize, secret, user.id, name, count)));
    }
  } finally {
    await sequelize.close();
  }
}

/**
 * `count` refresh tokens of user `userId`, minted with the key and no storage
 * (the family claims set by hand, family ids `<prefix><i>`), their
 * outstanding and family rows inserted in bulk as the logins that made them
 * would have: each can be refreshed (or rotated) once as a fresh token.
 */
export async function recordRefreshTokens(sequelize: Sequelize, secret: string, userId: number, prefix: string, count: number): Promise<string[]> {
  const { OutstandingToken, TokenFamily } = defineModels(sequelize);
  const minter = new SimpleJWT({ signingKey: secret, refreshTokenLifetime: '1d' });
  const tokens: string[] = [];
  for (let start = 0; start < count; start += 1000) {
    const outstanding = [];
    const families = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const token = new minter.RefreshToken();
      token.set('user_id', String(userId));
      const familyId = `${prefix}${i}`.padEnd(32, 'f');
      token.set('family_id', familyId);
      token.set('family_exp', Math.floor(token.currentTime.getTime() / 1000) + 30 * 86400);
      const encoded = String(token);
      tokens.push(encoded);
      outstanding.push({
        jti: token.jti(),
        user_id: String(userId),
        token: encoded,
        created_at: token.currentTime,
        expires_at: new Date(Number(token.get('exp')) * 1000),
      });
      families.push({ family_id: familyId, user_id: String(userId), created_at: token.currentTime, expires_at: new Date(Date.now() + 30 * 86400e3) });
    }
    await OutstandingToken.bulkCreate(outstanding);
    await TokenFamily.bulkCreate(families);
  }
  return tokens;
}

export function readPool(poolDir: string, name: string): string[] {
  return JSON.parse(readFileSync(`${poolDir}/${name}.json`, 'utf8')) as string[];
}
