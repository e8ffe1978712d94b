import { UniqueConstraintError } from 'sequelize';

/**
 * Insert first and let the unique constraint decide: `created` is true only
 * for the caller whose row was written. On a unique violation the existing
 * row is read instead. Never check-then-insert, so concurrent callers in
 * several processes agree on one winner. Other errors propagate.
 */
export async function insertOrGet<T>(insert: () => Promise<T>, find: () => Promise<T | null>): Promise<[T, boolean]> {
  try {
    return [await insert(), true];
  } catch (err) {
    if (!(err instanceof UniqueConstraintError)) throw err;
    const existing = await find();
    // The row that won was deleted in between (a flush): a real failure, not a pass.
    if (existing === null) throw err;
    return [existing, false];
  }
}
