/** Shared steps of the persistence tests. */
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { TokenError } from '../../lib';
import { djangoTimestampSql, type TestDatabase } from '../helpers/database';

/** Inserts an outstanding and a blacklisted row with plain SQL and Django's timestamp format. */
export async function djangoBlacklist(db: TestDatabase, jti: string, token: string, expiresAt: Date): Promise<void> {
  const ts = (d: Date) => djangoTimestampSql(db.dialect, d);
  await db.sequelize.query(
    `INSERT INTO token_blacklist_outstandingtoken (jti, token, created_at, expires_at, user_id) VALUES ('${jti}', '${token}', ${ts(new Date('2026-01-01T11:00:00.123Z'))}, ${ts(expiresAt)}, '1')`,
  );
  const [row] = await db.sequelize.query<{ id: number | string }>(`SELECT id FROM token_blacklist_outstandingtoken WHERE jti = '${jti}'`, {
    type: QueryTypes.SELECT,
  });
  await db.sequelize.query(
    `INSERT INTO token_blacklist_blacklistedtoken (token_id, blacklisted_at) VALUES (${Number(row.id)}, ${ts(new Date('2026-01-01T11:30:00.123Z'))})`,
  );
}

export async function expectRejected(work: Promise<unknown>, message: string): Promise<void> {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected a rejection with '${message}'`).to.be.instanceOf(TokenError);
  expect((err as Error).message).to.equal(message);
}
