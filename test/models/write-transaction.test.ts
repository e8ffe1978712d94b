/**
 * No connection is left inside a transaction (SPEC 8): when a write
 * transaction's ROLLBACK fails (a disk or network error at the worst
 * moment), its connection is closed, not kept (the SQLite writer) or pooled
 * (PostgreSQL, MySQL/MariaDB): another connection can write what the
 * transaction had locked at once, nothing of the transaction stays, and the
 * next write transaction works. On every dialect of the run.
 */
import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import { execute } from '../../models/sql';
import { writeTransaction } from '../../models/write-transaction';
import { useTestDatabase } from '../helpers/database';

const PROBE = 'sjwt_write_transaction_probe';

/** `work`, or a rejection after `ms`: a write waiting for a lock the failed transaction still holds. */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

describe('writeTransaction: a failed ROLLBACK closes its connection', function () {
  const openDatabase = useTestDatabase();
  let other: Sequelize | undefined;

  afterEach(async () => {
    await other?.close();
    other = undefined;
  });

  it('another connection writes what the transaction had locked, nothing of it stays, the next transaction commits', async () => {
    const db = await openDatabase({ migrate: false });
    const { sequelize } = db;
    await sequelize.query(`DROP TABLE IF EXISTS ${PROBE}`);
    await sequelize.query(`CREATE TABLE ${PROBE} (id INTEGER PRIMARY KEY)`);

    // ROLLBACK fails once, as a disk I/O error or a lost connection would make it.
    const query = sequelize.query.bind(sequelize) as (sql: unknown, options?: unknown) => Promise<unknown>;
    let rollbacks = 0;
    (sequelize as unknown as { query: typeof query }).query = (sql, options) => {
      if (typeof sql === 'string' && /^ROLLBACK/i.test(sql) && rollbacks++ === 0) return Promise.reject(new Error('disk I/O error'));
      return query(sql, options);
    };
    const failure = new Error('the work failed');
    const outcome = await writeTransaction(sequelize, Date.now() + 2000, async (transaction) => {
      await execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [1], transaction);
      throw failure;
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(outcome).to.equal(failure);
    expect(rollbacks, 'ROLLBACK attempted').to.equal(1);

    // SQLite: another connection to the file, not waiting for locks (busy timeout 0); else the pool's next connection.
    const writer =
      db.dialect === 'sqlite' ? (other = new Sequelize({ dialect: 'sqlite', storage: db.url.slice('sqlite://'.length), logging: false })) : sequelize;
    await within(writer.query(`INSERT INTO ${PROBE} (id) VALUES (1)`), 2000, 'another connection writing the locked row');
    const [rows] = await writer.query(`SELECT id FROM ${PROBE}`);
    expect(rows).to.have.length(1);

    await writeTransaction(sequelize, Date.now() + 2000, (transaction) => execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [2], transaction));
    const [after] = await writer.query(`SELECT id FROM ${PROBE} ORDER BY id`);
    expect((after as Array<{ id: number | string }>).map((row) => Number(row.id))).to.deep.equal([1, 2]);
    await sequelize.query(`DROP TABLE ${PROBE}`);
  });
});
