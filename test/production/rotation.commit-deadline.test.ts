/**
 * A rotation whose transaction outlives the request's deadline is rolled
 * back, never committed behind the client's 503 (SPEC 8): a trigger makes
 * the rotation's last write slow (SQLite: a cross join calibrated to about
 * 1.5 s; MariaDB: `SLEEP(1.5)`), with `storageTimeout` 1 s. The client gets
 * its 503 at the deadline; when the slow write ends, the check just before
 * COMMIT rolls back, so the same token, retried, refreshes (were it
 * committed, the retry would be reuse: 401 and the family blacklisted).
 * PostgreSQL is not run: its client-side `query_timeout` (storageTimeout)
 * ends the slow statement itself, before COMMIT is reached.
 */
import { expect } from 'chai';
import type { Sequelize } from 'sequelize';
import { pairFor } from '../helpers/app';
import { useTestDatabase, type TestDialect } from '../helpers/database';
import { failClosedApp } from '../helpers/fail-closed-app';

const TRIGGER = 'sjwt_test_slow_rotation';
const SLOW_MS = 1500;
const DEADLINE_MS = 1000;

async function timeOf(sequelize: Sequelize, sql: string): Promise<number> {
  const started = Date.now();
  await sequelize.query(sql);
  return Date.now() - started;
}

/** Makes every insert into the rotation table take about {@link SLOW_MS} (at least). */
async function slowRotationRows(sequelize: Sequelize, dialect: TestDialect): Promise<void> {
  if (dialect === 'mysql') {
    await sequelize.query(
      `CREATE TRIGGER ${TRIGGER} BEFORE INSERT ON passport_simplejwt_tokenrotation FOR EACH ROW SET @sjwt_slept = SLEEP(${SLOW_MS / 1000})`,
    );
    return;
  }
  // SQLite has no sleep: a cross join of a table with itself, its size chosen so that it takes SLOW_MS here.
  await sequelize.query('CREATE TABLE sjwt_test_burn (x INTEGER)');
  let rows = 500;
  const fill = async (n: number) => {
    await sequelize.query('DELETE FROM sjwt_test_burn');
    await sequelize.query(`INSERT INTO sjwt_test_burn (x) SELECT value FROM generate_series(1, ${n})`).catch(async () => {
      // No generate_series in this build: a recursive CTE outside the trigger fills it.
      await sequelize.query(`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT ${n}) INSERT INTO sjwt_test_burn (x) SELECT x FROM c`);
    });
  };
  const burn = 'SELECT COUNT(*) FROM sjwt_test_burn a, sjwt_test_burn b WHERE a.x + b.x > 0';
  for (;;) {
    await fill(rows);
    const ms = await timeOf(sequelize, burn);
    if (ms >= SLOW_MS) break;
    rows = Math.ceil(rows * Math.min(4, Math.sqrt((SLOW_MS * 1.2) / Math.max(ms, 5))));
  }
  await sequelize.query(`CREATE TRIGGER ${TRIGGER} BEFORE INSERT ON passport_simplejwt_tokenrotation BEGIN ${burn}; END`);
}

describe('a rotation outliving the request deadline is rolled back, not committed behind its 503 (SPEC 8)', function () {
  this.timeout(60_000);
  const openDatabase = useTestDatabase();

  it('503 at the deadline; the slow transaction rolls back; the same token refreshes', async function () {
    const db = await openDatabase();
    if (db.dialect === 'postgres') this.skip(); // query_timeout ends the statement first (see above)
    const { sj, server } = await failClosedApp(db.sequelize, { storageTimeout: DEADLINE_MS / 1000 });
    try {
      const pair = await pairFor(sj);
      await slowRotationRows(db.sequelize, db.dialect);
      const failed = await server.post('/api/token/refresh/', { refresh: pair.refresh });
      expect(failed.status, JSON.stringify(failed.body)).to.equal(503);
      expect(failed.ms).to.be.below(DEADLINE_MS + 500);
      // Let the slow write end and the transaction reach its end (rollback, or a wrong commit).
      await new Promise((resolve) => setTimeout(resolve, SLOW_MS * 2));
      const [rows] = await db.sequelize.query('SELECT COUNT(*) AS n FROM token_blacklist_blacklistedtoken');
      expect(Number((rows as Array<{ n: number | string }>)[0].n), 'nothing committed behind the 503').to.equal(0);
      await db.sequelize.query(`DROP TRIGGER ${TRIGGER}`);
      const again = await server.post('/api/token/refresh/', { refresh: pair.refresh });
      expect(again.status, JSON.stringify(again.body)).to.equal(200);
    } finally {
      await server.close();
    }
  });
});
