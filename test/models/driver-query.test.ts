import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { driverRows, within } from '../../models/driver-query';
import { useTestDatabase } from '../helpers/database';

/** The hot path's raw statements (models/driver-query.ts) on the test database's driver connection. */
describe('driverRows: statements on the driver connection', () => {
  const openDatabase = useTestDatabase();

  it('binds each $n to its value wherever it stands, repeated or out of order', async () => {
    const { sequelize } = await openDatabase({ migrate: false });
    // A text never seen before in this process: each dialect's form of it is made here, not found kept.
    const sql = `SELECT $2 AS b, $1 AS a, $2 AS c, $3 AS d /* ${randomUUID()} */`;
    const rows = await driverRows<Record<string, unknown>>(sequelize, sql, ['one', 'two', 'three']);
    expect(rows).to.deep.equal([{ b: 'two', a: 'one', c: 'two', d: 'three' }]);
    // The same text again (converted once, kept): the values are this call's.
    expect(await driverRows(sequelize, sql, ['x', 'y', 'z'])).to.deep.equal([{ b: 'y', a: 'x', c: 'y', d: 'z' }]);
  });

  it('answers the rows of a SELECT, none when nothing matches, and none for a write without RETURNING', async () => {
    const { sequelize } = await openDatabase({ migrate: false });
    await sequelize.query('CREATE TABLE auth_user (id INTEGER PRIMARY KEY, username VARCHAR(150))');
    expect(await driverRows(sequelize, 'INSERT INTO auth_user (id, username) VALUES ($1, $2)', [1, 'alice'])).to.deep.equal([]);
    await driverRows(sequelize, 'INSERT INTO auth_user (id, username) VALUES ($1, $2)', [2, 'bob']);
    expect(await driverRows(sequelize, 'SELECT id, username FROM auth_user WHERE id >= $1 ORDER BY id', [1])).to.deep.equal([
      { id: 1, username: 'alice' },
      { id: 2, username: 'bob' },
    ]);
    expect(await driverRows(sequelize, 'SELECT id FROM auth_user WHERE username = $1', ['carol'])).to.deep.equal([]);
  });

  it('a statement that fails leaves the connection usable, and the same text runs once it can (nothing failed is kept)', async () => {
    const { sequelize } = await openDatabase({ migrate: false });
    const sql = 'SELECT username FROM auth_user WHERE id = $1';
    let caught: unknown;
    await driverRows(sequelize, sql, [1]).catch((err: unknown) => (caught = err));
    expect(caught, 'no such table yet').to.be.instanceOf(Error);
    await sequelize.query('CREATE TABLE auth_user (id INTEGER PRIMARY KEY, username VARCHAR(150) UNIQUE)');
    await sequelize.query("INSERT INTO auth_user (id, username) VALUES (1, 'alice')");
    expect(await driverRows(sequelize, sql, [1])).to.deep.equal([{ username: 'alice' }]);
    // A statement that fails when it runs (a unique violation) is followed by one that answers.
    const insert = 'INSERT INTO auth_user (id, username) VALUES ($1, $2)';
    caught = undefined;
    await driverRows(sequelize, insert, [2, 'alice']).catch((err: unknown) => (caught = err));
    expect(caught, 'duplicate username').to.be.instanceOf(Error);
    await driverRows(sequelize, insert, [2, 'bob']);
    expect(await driverRows(sequelize, sql, [2])).to.deep.equal([{ username: 'bob' }]);
  });

  it('statements queued together on the shared connection all answer, each with its own rows', async () => {
    const { sequelize } = await openDatabase({ migrate: false });
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => driverRows<{ n: unknown }>(sequelize, 'SELECT $1 AS n', [`v${i}`])));
    expect(many.map((rows) => rows[0].n)).to.deep.equal(Array.from({ length: 20 }, (_, i) => `v${i}`));
  });

  it('more distinct statements than are kept prepared still answer, and the database closes afterwards', async () => {
    const { sequelize } = await openDatabase({ migrate: false });
    for (let i = 0; i < 70; i++) expect(await driverRows(sequelize, `SELECT $1 AS n${i}`, [String(i)])).to.deep.equal([{ [`n${i}`]: String(i) }]);
    // The first ones, still kept, answer again.
    expect(await driverRows(sequelize, 'SELECT $1 AS n0', ['again'])).to.deep.equal([{ n0: 'again' }]);
    await sequelize.close();
  });

  it('inside a transaction, the statement runs on its connection: it sees its uncommitted rows, and a rollback undoes it', async () => {
    const { sequelize } = await openDatabase({ migrate: false });
    await sequelize.query('CREATE TABLE auth_user (id INTEGER PRIMARY KEY, username VARCHAR(150))');
    await sequelize.transaction(async (transaction) => {
      await driverRows(sequelize, 'INSERT INTO auth_user (id, username) VALUES ($1, $2)', [7, 'dora'], transaction);
      expect(await driverRows(sequelize, 'SELECT username FROM auth_user WHERE id = $1', [7], transaction)).to.deep.equal([{ username: 'dora' }]);
    });
    expect(await driverRows(sequelize, 'SELECT username FROM auth_user WHERE id = $1', [7])).to.deep.equal([{ username: 'dora' }]);
    // What a statement wrote inside a transaction goes with its rollback.
    const failure = new Error('rolled back');
    let caught: unknown;
    await sequelize
      .transaction(async (transaction) => {
        await driverRows(sequelize, 'INSERT INTO auth_user (id, username) VALUES ($1, $2)', [8, 'emma'], transaction);
        throw failure;
      })
      .catch((err: unknown) => (caught = err));
    expect(caught).to.equal(failure);
    expect(await driverRows(sequelize, 'SELECT username FROM auth_user WHERE id = $1', [8])).to.deep.equal([]);
  });

  it('a bigint is bound exactly (SQLite stores it as its decimal text)', async function () {
    const { sequelize, dialect } = await openDatabase({ migrate: false });
    if (dialect !== 'sqlite') this.skip();
    expect(await driverRows(sequelize, 'SELECT $1 AS n', [9007199254740993n])).to.deep.equal([{ n: '9007199254740993' }]);
  });
});

describe('within: a statement that does not answer in time', () => {
  it('rejects with ETIMEDOUT once the time has passed, and gives the connection up once', async () => {
    let gaveUp = 0;
    let caught: (Error & { code?: string }) | undefined;
    await within(new Promise<never>(() => undefined), 20, () => (gaveUp += 1)).catch((err: Error) => (caught = err));
    expect(caught).to.be.instanceOf(Error);
    expect(caught!.code).to.equal('ETIMEDOUT');
    expect(caught!.message).to.equal('passport-simplejwt: the database did not answer in time (20 ms); its connection is destroyed');
    expect(gaveUp).to.equal(1);
  });

  it('answers what the work answers in time, and gives nothing up then or later', async () => {
    let gaveUp = 0;
    expect(await within(Promise.resolve('rows'), 30, () => (gaveUp += 1))).to.equal('rows');
    let caught: unknown;
    const failure = new Error('syntax error');
    await within(Promise.reject(failure), 30, () => (gaveUp += 1)).catch((err: unknown) => (caught = err));
    expect(caught).to.equal(failure);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(gaveUp, 'the timer is cleared').to.equal(0);
  });

  it('without a limit (undefined or 0) the work is answered as it is', async () => {
    const work = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 40));
    expect(within(work, undefined, () => expect.fail('no limit'))).to.equal(work);
    expect(within(work, 0, () => expect.fail('no limit'))).to.equal(work);
    expect(within(work, -1, () => expect.fail('no limit'))).to.equal(work);
    expect(await work).to.equal('late');
  });
});
