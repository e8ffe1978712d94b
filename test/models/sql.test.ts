import { expect } from 'chai';
import { Sequelize, UniqueConstraintError } from 'sequelize';
import { defineModels } from '../../models';
import { insertOrGet } from '../../models/insert-or-get';
import { readTime, sqlTime, valueRows } from '../../models/sql';
import { sqlDialect } from '../../models/sql-dialect';
import { deriveTimeouts, statementTimeout } from '../../models/timeouts';
import { formatSqliteDateTime } from '../../models/timestamp';
import { useTestDatabase } from '../helpers/database';

/** The small pieces of the raw SQL path: timestamps as bound and read back, placeholders, dialects, insert-or-get, timeouts. */
describe('raw SQL helpers (models/sql.ts, sql-dialect.ts, timestamp.ts, insert-or-get.ts, timeouts.ts)', () => {
  const openDatabase = useTestDatabase();
  const at = new Date('2026-01-02T03:04:05.678Z');

  it("a timestamp is bound as each dialect stores it: ISO on PostgreSQL, Django's naive UTC text elsewhere", () => {
    expect(formatSqliteDateTime(at)).to.equal('2026-01-02 03:04:05.678000');
    expect(sqlTime('postgres', at)).to.equal('2026-01-02T03:04:05.678Z');
    expect(sqlTime('sqlite', at)).to.equal('2026-01-02 03:04:05.678000');
    expect(sqlTime('mysql', at)).to.equal('2026-01-02 03:04:05.678000');
  });

  it('a timestamp read back is a Date whatever form the driver gives: Date, naive UTC text, text with Z or an offset', () => {
    expect(readTime(at)).to.equal(at);
    for (const [text, iso] of [
      ['2026-01-02 03:04:05.678000', '2026-01-02T03:04:05.678Z'],
      ['2026-01-02 03:04:05', '2026-01-02T03:04:05.000Z'],
      ['2026-01-02T03:04:05.678Z', '2026-01-02T03:04:05.678Z'],
      ['2026-01-02T03:04:05.678z', '2026-01-02T03:04:05.678Z'],
      ['2026-01-02 03:04:05.678+02:00', '2026-01-02T01:04:05.678Z'],
      ['2026-01-02T03:04:05.678-0130', '2026-01-02T04:34:05.678Z'],
    ]) {
      const read = readTime(text);
      expect(read, text).to.be.instanceOf(Date);
      expect(read.toISOString(), text).to.equal(iso);
    }
  });

  it('naive UTC text reads as UTC whatever the time zone of the Node process', () => {
    const tz = process.env.TZ;
    try {
      for (const zone of ['America/New_York', 'Asia/Kolkata']) {
        process.env.TZ = zone;
        expect(readTime('2026-01-02 03:04:05.678000').toISOString(), zone).to.equal('2026-01-02T03:04:05.678Z');
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('valueRows numbers the placeholders of rows of values from the first given', () => {
    expect(valueRows(1, 1)).to.equal('($1)');
    expect(valueRows(2, 3)).to.equal('($1, $2, $3), ($4, $5, $6)');
    expect(valueRows(2, 2, 5)).to.equal('($5, $6), ($7, $8)');
    expect(valueRows(0, 3)).to.equal('');
  });

  it('sqlDialect: SQLite and PostgreSQL as themselves, MySQL and MariaDB as MySQL, anything else refused by name', () => {
    const of = (dialect: string) => sqlDialect({ getDialect: () => dialect } as unknown as Sequelize);
    expect(of('sqlite')).to.equal('sqlite');
    expect(of('postgres')).to.equal('postgres');
    expect(of('mysql')).to.equal('mysql');
    expect(of('mariadb')).to.equal('mysql');
    for (const dialect of ['mssql', 'db2', 'snowflake'])
      expect(() => of(dialect)).to.throw(TypeError, `passport-simplejwt: the apps do not support the '${dialect}' dialect`);
  });

  it('insertOrGet: the first insert wins, a duplicate reads the winner, a winner gone is an error, other errors pass through without a read', async () => {
    const db = await openDatabase();
    const { OutstandingToken } = defineModels(db.sequelize);
    const values = { jti: 'j1', token: 't', user_id: '1', created_at: at, expires_at: at };
    const find = () => OutstandingToken.findOne({ where: { jti: 'j1' } });
    const [first, created] = await insertOrGet(() => OutstandingToken.create(values), find);
    expect(created).to.equal(true);
    const [again, createdAgain] = await insertOrGet(() => OutstandingToken.create({ ...values, token: 'other' }), find);
    expect(createdAgain).to.equal(false);
    expect(again.id).to.equal(first.id);
    expect(again.token).to.equal('t');
    // The row that won is gone by the time it is read (a flush in between): the unique violation is the answer.
    let caught: unknown;
    await insertOrGet(
      () => OutstandingToken.create(values),
      async () => null,
    ).catch((err: unknown) => (caught = err));
    expect(caught).to.be.instanceOf(UniqueConstraintError);
    // Any other failure is not a duplicate: no read.
    let reads = 0;
    const failure = new Error('the database is down');
    caught = undefined;
    await insertOrGet(
      () => Promise.reject(failure),
      async () => {
        reads += 1;
        return first;
      },
    ).catch((err: unknown) => (caught = err));
    expect(caught).to.equal(failure);
    expect(reads).to.equal(0);
  });

  it("the first storageTimeout on a Sequelize is its statements' limit and, on PostgreSQL, pg's query_timeout unless the app set one", async () => {
    const pg = new Sequelize('postgres://postgres@127.0.0.1:1/none', { logging: false });
    const pgWithOwn = new Sequelize('postgres://postgres@127.0.0.1:1/none', { logging: false, dialectOptions: { query_timeout: 0 } });
    const mysql = new Sequelize('mysql://root@127.0.0.1:1/none', { logging: false });
    try {
      const config = (sequelize: Sequelize) => (sequelize.connectionManager as unknown as { config: { dialectOptions?: Record<string, unknown> } }).config;
      expect(statementTimeout(pg)).to.equal(undefined);
      deriveTimeouts(pg, 2.5);
      deriveTimeouts(pg, 9);
      expect(statementTimeout(pg)).to.equal(2500);
      expect(config(pg).dialectOptions?.query_timeout).to.equal(2500);
      deriveTimeouts(pgWithOwn, 2.5);
      expect(config(pgWithOwn).dialectOptions?.query_timeout).to.equal(0);
      expect(statementTimeout(pgWithOwn)).to.equal(2500);
      deriveTimeouts(mysql, 0.0015);
      expect(statementTimeout(mysql)).to.equal(2);
      expect(config(mysql).dialectOptions?.query_timeout).to.equal(undefined);
    } finally {
      await Promise.all([pg.close(), pgWithOwn.close(), mysql.close()]);
    }
  });

  it('on PostgreSQL, a statement that outlasts storageTimeout is given up (pg query_timeout)', async function () {
    const db = await openDatabase({ migrate: false });
    if (db.dialect !== 'postgres') this.skip();
    const sequelize = new Sequelize(db.url, { logging: false });
    try {
      deriveTimeouts(sequelize, 0.2);
      const started = Date.now();
      let caught: unknown;
      await sequelize.query('SELECT pg_sleep(3)').catch((err: unknown) => (caught = err));
      expect(caught).to.be.instanceOf(Error);
      expect(String(caught)).to.match(/timeout/i);
      expect(Date.now() - started).to.be.below(2500);
    } finally {
      await sequelize.close();
    }
  });
});
