import { Op, type Sequelize, type Transaction } from 'sequelize';
import { defineModels } from './define-models';
import { SESSION_TABLE } from './sessions';
import { TOKEN_ROTATION_TABLE } from './token-rotation';

/** Rows deleted per batch (and per transaction) by the flush commands. */
export const FLUSH_BATCH_SIZE = 10_000;

/** Options of {@link flushExpiredTokens} and {@link flushExpiredFamilies}. */
export interface FlushOptions {
  /** Rows with `expires_at` at or before this time are deleted. Default: now. */
  now?: Date;
  /** Rows per batch. Default {@link FLUSH_BATCH_SIZE}. */
  batchSize?: number;
}

/**
 * Deletes in batches of ids found through the `expires_at` index: memory
 * stays bounded by the batch whatever the table size. `deleteBatch` removes
 * the children explicitly (SQLite enforces ON DELETE CASCADE only with its
 * foreign_keys pragma, and tables created by Django carry no cascade at all).
 */
async function flushInBatches(
  sequelize: Sequelize,
  findBatch: (limit: number) => Promise<Array<number | string>>,
  deleteBatch: (ids: Array<number | string>, transaction: Transaction) => Promise<number>,
  batchSize: number,
): Promise<number> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new TypeError('passport-simplejwt: batchSize must be a positive integer');
  let total = 0;
  for (;;) {
    const ids = await findBatch(batchSize);
    if (ids.length === 0) break;
    total += await sequelize.transaction((transaction) => deleteBatch(ids, transaction));
    if (ids.length < batchSize) break;
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
    options.batchSize ?? FLUSH_BATCH_SIZE,
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
    options.batchSize ?? FLUSH_BATCH_SIZE,
  );
}
