import type { Sequelize, Transaction } from 'sequelize';
import type { StoredToken } from '../lib/types/apps';
import { BLACKLISTED_TOKEN_TABLE } from './blacklisted-token';
import { OUTSTANDING_TOKEN_TABLE } from './outstanding-token';
import { execute, selectRows, sqlTime, valueRows } from './sql';
import { sqlDialect, type SqlDialect } from './sql-dialect';
import { touchSessionsBind, touchSessionsSql } from './sessions';
import { TOKEN_ROTATION_TABLE } from './token-rotation';
import { writeTransaction } from './write-transaction';

/** The values of an outstanding row, in column order (jti, user_id, token, created_at, expires_at). */
export type OutstandingValues = [string, string | null, string, string, string];

/** One rotation: the consumed token's outstanding row into its successor's, their values computed before they join a batch (a bad one fails alone). */
export interface Rotation {
  token: OutstandingValues;
  successor: OutstandingValues;
  /** The family whose session the winner marks used (its last use, coalesced), or null. */
  usedFamily?: string | null;
}

const OUTSTANDING_COLUMNS = '(jti, user_id, token, created_at, expires_at)';
/** Transient failures of concurrent transactions worth one more try (deadlock, serialisation). */
const RETRYABLE = new Set(['40P01', '40001', 'ER_LOCK_DEADLOCK', 'SQLITE_BUSY']);

function retryable(err: unknown): boolean {
  // The driver's error itself, or wrapped by Sequelize (its BEGIN and COMMIT) as `parent`.
  const { code, parent } = (err ?? {}) as { code?: unknown; parent?: { code?: unknown } };
  return [code, parent?.code].some((c) => typeof c === 'string' && RETRYABLE.has(c));
}

/**
 * Rotations in one transaction, set-based: the blacklist rows of the
 * consumed tokens are inserted together and the unique `token_id` decides
 * who wins (`ON CONFLICT DO NOTHING … RETURNING` on SQLite and PostgreSQL,
 * `INSERT IGNORE … RETURNING` on MariaDB), then the winners' successors and
 * rotation rows. Rows go in key order, so concurrent batches in several
 * processes lock in the same order. All or nothing; one result per rotation.
 */
export function rotationBatch(sequelize: Sequelize, now: () => Date): (rotations: Rotation[], deadline: number) => Promise<boolean[]> {
  const dialect = sqlDialect(sequelize);
  const run = async (rotations: Rotation[], transaction: Transaction): Promise<boolean[]> => {
    const rotatedAt = sqlTime(dialect, now());
    const jtis = rotations.map((rotation) => rotation.token[0]);
    const ids = await outstandingIds(sequelize, [...new Set(jtis)].sort(), transaction);
    const missing = rotations.filter((rotation, i) => !ids.has(jtis[i]) && jtis.indexOf(jtis[i]) === i);
    if (missing.length > 0) {
      // Tokens never recorded (minted before the app was on): recorded now, as a single rotation would.
      const rows = missing.map((rotation) => rotation.token).sort((a, b) => (a[0] < b[0] ? -1 : 1));
      await execute(sequelize, insertOutstanding(dialect, rows.length, false), rows.flat(), transaction);
      // A locking read: on MySQL/MariaDB (REPEATABLE READ) a plain one would answer from the snapshot of the first
      // read, without the rows another process recorded and committed meanwhile (our insert skipped them).
      for (const [jti, id] of await outstandingIds(
        sequelize,
        rows.map((row) => row[0]),
        transaction,
        dialect === 'mysql',
      ))
        ids.set(jti, id);
    }
    // The first rotation of each token in the batch is its candidate; a repeat in the same batch has lost already.
    const candidates = [...new Set(jtis)].map((jti) => ids.get(jti)!).sort(compareIds);
    const consumed = await selectRows<{ token_id: number | string }>(
      sequelize,
      dialect === 'mysql'
        ? `INSERT IGNORE INTO ${BLACKLISTED_TOKEN_TABLE} (token_id, blacklisted_at) VALUES ${valueRows(candidates.length, 2)} RETURNING token_id`
        : `INSERT INTO ${BLACKLISTED_TOKEN_TABLE} (token_id, blacklisted_at) VALUES ${valueRows(candidates.length, 2)} ON CONFLICT (token_id) DO NOTHING RETURNING token_id`,
      candidates.flatMap((id) => [id, rotatedAt]),
      transaction,
    );
    const won = new Set(consumed.map((row) => String(row.token_id)));
    const results = rotations.map((_, i) => won.has(String(ids.get(jtis[i]))) && jtis.indexOf(jtis[i]) === i);
    const winners = rotations.filter((_, i) => results[i]);
    if (winners.length === 0) return results;
    const successorRows = winners.map((rotation) => rotation.successor);
    const successors = await selectRows<{ id: number | string; jti: string }>(
      sequelize,
      insertOutstanding(dialect, successorRows.length, true),
      successorRows.flat(),
      transaction,
    );
    const successorIds = new Map(successors.map((row) => [row.jti, row.id]));
    const rotationValues = winners.map((rotation) => [ids.get(rotation.token[0])!, successorIds.get(rotation.successor[0])!, rotatedAt]);
    await execute(
      sequelize,
      `INSERT INTO ${TOKEN_ROTATION_TABLE} (token_id, successor_id, rotated_at) VALUES ${valueRows(winners.length, 3)}`,
      rotationValues.flat(),
      transaction,
    );
    const used = [...new Set(winners.flatMap((rotation) => (rotation.usedFamily ? [rotation.usedFamily] : [])))];
    if (used.length > 0) await execute(sequelize, touchSessionsSql(dialect, used.length), touchSessionsBind(dialect, now(), used), transaction);
    return results;
  };
  return async (rotations, deadline) => {
    try {
      return await writeTransaction(sequelize, deadline, (transaction) => run(rotations, transaction));
    } catch (err) {
      // A deadlock between batches of two processes: the loser's batch tries once more.
      if (!retryable(err) || Date.now() >= deadline) throw err;
      return writeTransaction(sequelize, deadline, (transaction) => run(rotations, transaction));
    }
  };
}

function compareIds(a: number | string, b: number | string): number {
  return Number(a) - Number(b);
}

/** The ids of the outstanding rows of `jtis`; `lockInShareMode` (MySQL/MariaDB only) reads the latest committed rows. */
async function outstandingIds(sequelize: Sequelize, jtis: string[], transaction: Transaction, lockInShareMode = false): Promise<Map<string, number | string>> {
  const rows = await selectRows<{ id: number | string; jti: string }>(
    sequelize,
    `SELECT id, jti FROM ${OUTSTANDING_TOKEN_TABLE} WHERE jti IN (${jtis.map((_, i) => `$${i + 1}`).join(', ')})${lockInShareMode ? ' LOCK IN SHARE MODE' : ''}`,
    jtis,
    transaction,
  );
  return new Map(rows.map((row) => [row.jti, row.id]));
}

/** An INSERT of `count` outstanding rows: of new jtis (RETURNING their ids), or of possibly recorded ones (skipping those). */
function insertOutstanding(dialect: SqlDialect, count: number, returning: boolean): string {
  const values = valueRows(count, 5);
  if (returning) return `INSERT INTO ${OUTSTANDING_TOKEN_TABLE} ${OUTSTANDING_COLUMNS} VALUES ${values} RETURNING id, jti`;
  return dialect === 'mysql'
    ? `INSERT INTO ${OUTSTANDING_TOKEN_TABLE} ${OUTSTANDING_COLUMNS} VALUES ${values} ON DUPLICATE KEY UPDATE jti = jti`
    : `INSERT INTO ${OUTSTANDING_TOKEN_TABLE} ${OUTSTANDING_COLUMNS} VALUES ${values} ON CONFLICT (jti) DO NOTHING`;
}

/** The outstanding row of `token`, as the driver takes it. */
export function outstandingValues(dialect: SqlDialect, token: StoredToken): OutstandingValues {
  return [token.jti, token.userId, token.token, sqlTime(dialect, token.createdAt), sqlTime(dialect, token.expiresAt)];
}
