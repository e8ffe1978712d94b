import { Op, type Sequelize, type Transaction } from 'sequelize';
import { defineModels } from './define-models';
import { SESSION_TABLE } from './sessions';
import { TOKEN_ROTATION_TABLE } from './token-rotation';

/** Rows deleted per batch (and per transaction) by the flush commands on PostgreSQL and MySQL/MariaDB. */
export const FLUSH_BATCH_SIZE = 10_000;

/**
 * Rows per batch on SQLite, and the pause after each batch there (ms).
 * SQLite has one write lock, which a batch holds until it commits: 10,000
 * rows held it for over 100 ms, and a writer waiting in SQLite's busy
 * handler (which sleeps between tries, up to 25 ms in its first 100 ms)
 * rarely found it free before the next batch took it again. With 1,000-row
 * batches and a pause, a concurrent refresh's p99 stays well under 100 ms
 * (bench/flush.bench.ts, docs/performance.md).
 */
const SQLITE_BATCH_SIZE = 1_000;
const SQLITE_PAUSE_MS = 25;

/** Options of {@link flushExpiredTokens} and {@link flushExpiredFamilies}. */
export interface FlushOptions {
  /** Rows with `expires_at` at or before this time are deleted. Default: now. */
  now?: Date;
  /** Rows per batch. Default {@link FLUSH_BATCH_SIZE}; 1,000 on SQLite. */
  batchSize?: number;
  /** Milliseconds to wait after each batch, so that writers waiting for the locks get them. Default 0; 25 on SQLite. */
  pauseMs?: number;
}

/** The batch size and pause of `options` on this database. */
function pacing(sequelize: Sequelize, options: FlushOptions): { batchSize: number; pauseMs: number } {
  const sqlite = sequelize.getDialect() === 'sqlite';
  const pauseMs = options.pauseMs ?? (sqlite ? SQLITE_PAUSE_MS : 0);
  if (!Number.isFinite(pauseMs) || pauseMs < 0) throw new TypeError('passport-simplejwt: pauseMs must be a number of milliseconds, 0 or more');
  return { batchSize: options.batchSize ?? (sqlite ? SQLITE_BATCH_SIZE : FLUSH_BATCH_SIZE), pauseMs };
}

/**
 * Deletes in batches of ids found through the `expires_at` index: memory
 * stays bounded by the batch whatever the table size, and each batch is
 * its own short transaction (with a pause after it on SQLite), so requests
 * keep being served while it runs. `deleteBatch` removes
 * the children explicitly (SQLite enforces ON DELETE CASCADE only with its
 * foreign_keys pragma, and tables created by Django carry no cascade at all).
 */
async function flushInBatches(
  sequelize: Sequelize,
  findBatch: (limit: number) => Promise<Array<number | string>>,
  deleteBatch: (ids: Array<number | string>, transaction: Transaction) => Promise<number>,
  { batchSize, pauseMs }: { batchSize: number; pauseMs: number },
): Promise<number> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TypeError('passport-simplejwt: batchSize must be a positive integer');
  let total = 0;
  for (;;) {
    const ids = await findBatch(batchSize);
    if (ids.length === 0) break;
    total += await sequelize.transaction((transaction) => deleteBatch(ids, transaction));
    if (ids.length < batchSize) break;
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return total;
}

/**
 * Simple JWT's `flushexpiredtokens`: deletes the outstanding tokens whose
 * `expires_at` has passed, with their blacklist rows. Resolves to the number
 * of outstanding tokens deleted.
 *
 * @example
 * const deleted = await flushExpiredTokens(sequelize); // or: npx passport-simplejwt flushexpiredtokens
 */
export async function flushExpiredTokens(sequelize: Sequelize, options: FlushOptions = {}): Promise<number> {
  const { OutstandingToken, BlacklistedToken, TokenRotation } = defineModels(sequelize);
  const now = options.now ?? new Date();
  const hasRotation = await sequelize.getQueryInterface().tableExists(TOKEN_ROTATION_TABLE);
  return flushInBatches(
    sequelize,
    async (limit) => {
      const rows = await OutstandingToken.findAll({ attributes: ['id'], where: { expires_at: { [Op.lte]: now } }, limit, raw: true });
      return rows.map((row) => row.id);
    },
    async (ids, transaction) => {
      if (hasRotation) await TokenRotation.destroy({ where: { [Op.or]: [{ token_id: ids }, { successor_id: ids }] }, transaction });
      await BlacklistedToken.destroy({ where: { token_id: ids }, transaction });
      return OutstandingToken.destroy({ where: { id: ids }, transaction });
    },
    pacing(sequelize, options),
  );
}

/**
 * The family app's `flushexpiredfamilies`: deletes the families whose
 * `expires_at` has passed, with their blacklist rows. Families without an
 * expiry (`tokenFamilyLifetime: null`) are never deleted. Resolves to the
 * number of families deleted.
 *
 * @example
 * const deleted = await flushExpiredFamilies(sequelize); // or: npx passport-simplejwt flushexpiredfamilies
 */
export async function flushExpiredFamilies(sequelize: Sequelize, options: FlushOptions = {}): Promise<number> {
  const { TokenFamily, BlacklistedTokenFamily } = defineModels(sequelize);
  const now = options.now ?? new Date();
  const hasSessions = await sequelize.getQueryInterface().tableExists(SESSION_TABLE);
  return flushInBatches(
    sequelize,
    async (limit) => {
      const rows = await TokenFamily.findAll({ attributes: ['id'], where: { expires_at: { [Op.ne]: null, [Op.lte]: now } }, limit, raw: true });
      return rows.map((row) => row.id);
    },
    async (ids, transaction) => {
      if (hasSessions) {
        await sequelize.getQueryInterface().bulkDelete(SESSION_TABLE, { family_id: ids }, { transaction });
      }
      await BlacklistedTokenFamily.destroy({ where: { family_id: ids }, transaction });
      return TokenFamily.destroy({ where: { id: ids }, transaction });
    },
    pacing(sequelize, options),
  );
}
