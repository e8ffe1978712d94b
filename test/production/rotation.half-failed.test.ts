/**
 * A rotation that fails half-way, over HTTP (SPEC 8): a trigger makes one of
 * the rotation's writes fail (the presented token's blacklist row, the
 * successor's outstanding row, the rotation row) after the ones before it
 * succeeded. The refresh answers 503 where the failure is an outage (its
 * driver code says so: PostgreSQL's 57P03, MariaDB's lock wait timeout) and
 * 500 where nothing says so (SQLite's trigger abort, a constraint error);
 * either way nothing is half-written, and once the fault goes the same
 * refresh token refreshes (it was not consumed, so it is not reuse).
 */
import { expect } from 'chai';
import type { Sequelize } from 'sequelize';
import { pairFor } from '../helpers/app';
import { useTestDatabase, type TestDialect } from '../helpers/database';
import { failClosedApp } from '../helpers/fail-closed-app';

const WRITES = [
  { table: 'token_blacklist_blacklistedtoken', what: "the presented token's blacklist row (the first write)" },
  { table: 'token_blacklist_outstandingtoken', what: "the successor's outstanding row (the second)" },
  { table: 'passport_simplejwt_tokenrotation', what: 'the rotation row (the last)' },
];

const TRIGGER = 'sjwt_test_planted_failure';

/** A trigger that fails every insert into `table`: as an outage where the dialect can say so. */
async function failInserts(sequelize: Sequelize, dialect: TestDialect, table: string): Promise<void> {
  if (dialect === 'sqlite') {
    await sequelize.query(`CREATE TRIGGER ${TRIGGER} BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'planted storage failure'); END`);
  } else if (dialect === 'postgres') {
    await sequelize.query(
      `CREATE OR REPLACE FUNCTION ${TRIGGER}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'planted storage failure' USING ERRCODE = '57P03'; END $$ LANGUAGE plpgsql`,
    );
    await sequelize.query(`CREATE TRIGGER ${TRIGGER} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${TRIGGER}()`);
  } else {
    await sequelize.query(
      `CREATE TRIGGER ${TRIGGER} BEFORE INSERT ON ${table} FOR EACH ROW SIGNAL SQLSTATE 'HY000' SET MESSAGE_TEXT = 'planted storage failure', MYSQL_ERRNO = 1205`,
    );
  }
}

async function healInserts(sequelize: Sequelize, dialect: TestDialect, table: string): Promise<void> {
  await sequelize.query(dialect === 'postgres' ? `DROP TRIGGER ${TRIGGER} ON ${table}` : `DROP TRIGGER ${TRIGGER}`);
}

async function count(sequelize: Sequelize, table: string): Promise<number> {
  const [rows] = await sequelize.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number((rows as Array<{ n: number | string }>)[0].n);
}

describe('a rotation whose write fails half-way, over HTTP (SPEC 8)', function () {
  this.timeout(30_000);
  const openDatabase = useTestDatabase();

  for (const { table, what } of WRITES) {
    it(`fails at ${what}: 503 (an outage) or a logged 500, nothing half-written, the same token refreshes once the fault goes`, async () => {
      const db = await openDatabase();
      const logged: string[] = [];
      const { sj, server } = await failClosedApp(db.sequelize, { logger: { error: (line) => logged.push(line), warn: () => undefined } });
      try {
        const pair = await pairFor(sj);
        // Warm: one good rotation first, so the failing one is not the first statement of a cold connection.
        const first = await server.post('/api/token/refresh/', { refresh: pair.refresh });
        expect(first.status, JSON.stringify(first.body)).to.equal(200);
        const refresh = String(first.body.refresh);
        const before = await Promise.all(WRITES.map((write) => count(db.sequelize, write.table)));

        await failInserts(db.sequelize, db.dialect, table);
        const failed = await server.post('/api/token/refresh/', { refresh });
        const outage = db.dialect !== 'sqlite';
        expect(failed.status, JSON.stringify(failed.body)).to.equal(outage ? 503 : 500);
        if (outage) expect(failed.body.code).to.equal('service_unavailable');
        else expect(logged.join('\n'), 'the 500 is logged with its cause').to.match(/planted storage failure/);
        const after = await Promise.all(WRITES.map((write) => count(db.sequelize, write.table)));
        expect(after, 'no row written by the failed rotation').to.deep.equal(before);

        await healInserts(db.sequelize, db.dialect, table);
        const again = await server.post('/api/token/refresh/', { refresh });
        expect(again.status, JSON.stringify(again.body)).to.equal(200);
        const access = await server.get('/me', { authorization: `Bearer ${String(again.body.access)}` });
        expect(access.status, 'the family is not blacklisted as reuse').to.equal(200);
      } finally {
        await server.close();
      }
    });
  }
});
