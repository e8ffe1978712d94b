/**
 * The transaction of a batch of rotations (models/rotation-batch.ts), on the
 * database of the run (SQLite, or TEST_DATABASE_URL): which rotations win,
 * what each winner writes (blacklist row, successor, rotation row, all at
 * the instance's time), that a loser writes nothing, that tokens minted
 * before the app was on are recorded first, and that a batch that loses a
 * deadlock to another process's transaction is tried once more
 * (PostgreSQL and MariaDB: SQLite takes its write lock at BEGIN and never
 * deadlocks).
 */
import { expect } from 'chai';
import { QueryTypes, Sequelize, type Transaction } from 'sequelize';
import { defineModels } from '../../models/define-models';
import { storedToken } from '../../lib/services/stored-token';
import { outstandingValues, rotationBatch, type OutstandingValues, type Rotation } from '../../models/rotation-batch';
import { sqlTime } from '../../models/sql';
import { sqlDialect } from '../../models/sql-dialect';
import { testDatabaseUrl, useTestDatabase, type TestDatabase } from '../helpers/database';
import { makeSJ } from '../helpers/fixtures';

const NOW = new Date('2026-03-04T05:06:07.000Z');
const CREATED = new Date('2026-03-04T05:00:00.000Z');
const EXPIRES = new Date('2999-01-01T00:00:00.000Z');
const later = () => Date.now() + 60_000;

/** The outstanding values of a token `jti` (its encoded form `token-<jti>`, user `user`). */
function values(db: TestDatabase, jti: string, user: string | null = '1', expires = EXPIRES): OutstandingValues {
  const dialect = sqlDialect(db.sequelize);
  return [jti, user, `token-${jti}`, sqlTime(dialect, CREATED), sqlTime(dialect, expires)];
}

function rotation(db: TestDatabase, jti: string, successor: string): Rotation {
  return { token: values(db, jti), successor: values(db, successor, '2', new Date('2998-01-01T00:00:00.000Z')) };
}

/** Records outstanding rows; `pad` rows first, so that ids are not in the order of the jtis. */
async function record(db: TestDatabase, jtis: string[]): Promise<void> {
  const { OutstandingToken } = defineModels(db.sequelize);
  for (const jti of jtis) await OutstandingToken.create({ jti, token: `token-${jti}`, user_id: '1', created_at: CREATED, expires_at: EXPIRES });
}

/** What the tables hold: the blacklisted jtis, the rotations as `jti>successor`, each outstanding row by jti. */
async function tables(db: TestDatabase) {
  const { OutstandingToken, BlacklistedToken, TokenRotation } = defineModels(db.sequelize);
  const rows = await OutstandingToken.findAll();
  const jtiOf = new Map(rows.map((row) => [String(row.id), row.jti]));
  const blacklist = await BlacklistedToken.findAll();
  const rotations = await TokenRotation.findAll();
  return {
    outstanding: new Map(rows.map((row) => [row.jti, row])),
    blacklisted: blacklist.map((row) => jtiOf.get(String(row.token_id))).sort(),
    blacklistedAt: blacklist.map((row) => row.blacklisted_at.toISOString()),
    rotations: rotations.map((row) => `${jtiOf.get(String(row.token_id))}>${jtiOf.get(String(row.successor_id))}`).sort(),
    rotatedAt: rotations.map((row) => row.rotated_at.toISOString()),
  };
}

describe('rotation batch: one transaction for the rotations that queued together', () => {
  const openDatabase = useTestDatabase();

  it('several tokens in one batch: each wins, is blacklisted at the instance time, and is paired with its own successor', async () => {
    const db = await openDatabase();
    await record(db, ['pad', 'zeta', 'alpha', 'mid']);
    const batch = rotationBatch(db.sequelize, () => NOW);
    // Not in key order: rows go in key order, results in the order given.
    const results = await batch([rotation(db, 'zeta', 'zeta-next'), rotation(db, 'alpha', 'alpha-next'), rotation(db, 'mid', 'mid-next')], later());
    expect(results).to.deep.equal([true, true, true]);
    const t = await tables(db);
    expect(t.blacklisted).to.deep.equal(['alpha', 'mid', 'zeta']);
    expect(t.rotations).to.deep.equal(['alpha>alpha-next', 'mid>mid-next', 'zeta>zeta-next']);
    expect(new Set([...t.blacklistedAt, ...t.rotatedAt])).to.deep.equal(new Set([NOW.toISOString()]));
    const successor = t.outstanding.get('alpha-next')!;
    expect(successor.token).to.equal('token-alpha-next');
    expect(successor.user_id).to.equal('2');
    expect(successor.created_at?.toISOString()).to.equal(CREATED.toISOString());
    expect(successor.expires_at.toISOString()).to.equal('2998-01-01T00:00:00.000Z');
  });

  it('the same token twice in one batch: the first rotation wins, the second loses and writes nothing', async () => {
    const db = await openDatabase();
    await record(db, ['pad', 'a']);
    const batch = rotationBatch(db.sequelize, () => NOW);
    expect(await batch([rotation(db, 'a', 'a-first'), rotation(db, 'a', 'a-second')], later())).to.deep.equal([true, false]);
    const t = await tables(db);
    expect(t.blacklisted).to.deep.equal(['a']);
    expect(t.rotations).to.deep.equal(['a>a-first']);
    expect(t.outstanding.has('a-second')).to.equal(false);
  });

  it('a token consumed by an earlier batch loses, next to a fresh one that wins; only the winner writes', async () => {
    const db = await openDatabase();
    await record(db, ['pad', 'old', 'fresh']);
    const batch = rotationBatch(db.sequelize, () => NOW);
    expect(await batch([rotation(db, 'old', 'old-1')], later())).to.deep.equal([true]);
    expect(await batch([rotation(db, 'old', 'old-2'), rotation(db, 'fresh', 'fresh-1')], later())).to.deep.equal([false, true]);
    const t = await tables(db);
    expect(t.rotations).to.deep.equal(['fresh>fresh-1', 'old>old-1']);
    expect(t.outstanding.has('old-2')).to.equal(false);
  });

  it('a batch of losers only writes nothing and answers false for each', async () => {
    const db = await openDatabase();
    await record(db, ['a', 'b']);
    const batch = rotationBatch(db.sequelize, () => NOW);
    await batch([rotation(db, 'a', 'a-1'), rotation(db, 'b', 'b-1')], later());
    const before = await tables(db);
    expect(await batch([rotation(db, 'b', 'b-2'), rotation(db, 'a', 'a-2')], later())).to.deep.equal([false, false]);
    const after = await tables(db);
    expect(after.rotations).to.deep.equal(before.rotations);
    expect([...after.outstanding.keys()].sort()).to.deep.equal([...before.outstanding.keys()].sort());
  });

  it('tokens never recorded (minted before the app was on) are recorded with their own values, then rotated', async () => {
    const db = await openDatabase();
    await record(db, ['pad', 'known']);
    const batch = rotationBatch(db.sequelize, () => NOW);
    const dialect = sqlDialect(db.sequelize);
    const unknownB: Rotation = {
      token: ['unknown-b', null, 'token-unknown-b', sqlTime(dialect, CREATED), sqlTime(dialect, new Date('2997-05-06T07:08:09.000Z'))],
      successor: values(db, 'b-next'),
    };
    const results = await batch(
      [rotation(db, 'unknown-z', 'z-next'), rotation(db, 'known', 'known-next'), unknownB, rotation(db, 'unknown-z', 'z-again')],
      later(),
    );
    expect(results).to.deep.equal([true, true, true, false]);
    const t = await tables(db);
    expect(t.blacklisted).to.deep.equal(['known', 'unknown-b', 'unknown-z']);
    expect(t.rotations).to.deep.equal(['known>known-next', 'unknown-b>b-next', 'unknown-z>z-next']);
    const recorded = t.outstanding.get('unknown-b')!;
    expect(recorded.user_id).to.equal(null);
    expect(recorded.token).to.equal('token-unknown-b');
    expect(recorded.expires_at.toISOString()).to.equal('2997-05-06T07:08:09.000Z');
    expect(t.outstanding.get('unknown-z')!.user_id).to.equal('1');
    expect(t.outstanding.has('z-again')).to.equal(false);
  });

  it('outstandingValues of storedToken(): the row of a real token (jti, user, encoded token, times); a token without a numeric exp cannot be recorded', async () => {
    const db = await openDatabase();
    const { sj } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true } });
    const dialect = sqlDialect(db.sequelize);
    const fresh = await sj.RefreshToken.forUser({ id: 42, username: 'u', password: 'p', isActive: true });
    const encoded = fresh.toString();
    const decoded = new sj.RefreshToken(encoded);
    const exp = decoded.get<number>('exp')!;
    const row = (token: typeof decoded) => outstandingValues(dialect, storedToken(token));
    for (const token of [fresh, decoded]) {
      expect(row(token)).to.deep.equal([decoded.jti(), '42', encoded, sqlTime(dialect, token.currentTime), sqlTime(dialect, new Date(exp * 1000))]);
    }
    decoded.set('user_id', null);
    expect(row(decoded)[1]).to.equal(null);
    decoded.delete('user_id');
    expect(row(decoded)[1]).to.equal(null);
    for (const bad of ['2999999999', Infinity, undefined]) {
      decoded.set('exp', bad);
      expect(() => row(decoded)).to.throw(TypeError, "passport-simplejwt: cannot record a token without a numeric 'exp' claim");
    }
  });

  it('a token never recorded, recorded and rotated by another process while the batch waits: the batch loses, writes nothing, and does not fail (PostgreSQL, MariaDB)', async function () {
    const url = testDatabaseUrl();
    if (url === undefined) this.skip(); // SQLite: BEGIN IMMEDIATE, one writer at a time, no interleaving
    const db = await openDatabase();
    await record(db, ['pad']);
    const other = new Sequelize(url!.replace(/^mariadb:/i, 'mysql:'), { logging: false, pool: { max: 1 } });
    let tx: Transaction | undefined;
    try {
      tx = await other.transaction();
      const stamp = sqlTime(sqlDialect(db.sequelize), NOW);
      const far = sqlTime(sqlDialect(db.sequelize), EXPIRES);
      // The other process records the token (not yet committed) ...
      await other.query(
        `INSERT INTO token_blacklist_outstandingtoken (jti, user_id, token, created_at, expires_at) VALUES ('u', '1', 'token-u', '${stamp}', '${far}')`,
        { transaction: tx },
      );
      const batch = rotationBatch(db.sequelize, () => NOW);
      // ... this batch does not see it, and its insert of the same jti waits ...
      const result = batch([rotation(db, 'u', 'u-mine')], later());
      await new Promise((resolve) => setTimeout(resolve, 300));
      // ... while the other process consumes it and commits.
      const [row] = await other.query<{ id: number }>(`SELECT id FROM token_blacklist_outstandingtoken WHERE jti = 'u'`, {
        type: QueryTypes.SELECT,
        transaction: tx,
      });
      await other.query(`INSERT INTO token_blacklist_blacklistedtoken (token_id, blacklisted_at) VALUES (${Number(row.id)}, '${stamp}')`, { transaction: tx });
      await tx.commit();
      tx = undefined;
      expect(await result).to.deep.equal([false]);
      const t = await tables(db);
      expect(t.blacklisted).to.deep.equal(['u']);
      expect(t.rotations).to.deep.equal([]);
      expect(t.outstanding.has('u-mine')).to.equal(false);
    } finally {
      if (tx) await tx.rollback().catch(() => undefined);
      await other.close();
    }
  });

  it('a failing batch (not a deadlock) is tried once: the error, nothing written', async () => {
    const db = await openDatabase();
    await record(db, ['a', 'taken']);
    let attempts = 0;
    const batch = rotationBatch(db.sequelize, () => {
      attempts += 1;
      return NOW;
    });
    // The successor's jti is recorded already: its insert breaks the unique jti, on every try.
    const failed = await batch([rotation(db, 'a', 'taken')], later()).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failed).to.be.instanceOf(Error);
    expect(attempts, 'tries').to.equal(1);
    const t = await tables(db);
    expect(t.blacklisted).to.deep.equal([]);
    expect(t.rotations).to.deep.equal([]);
  });

  for (const recorded of [true, false]) {
    it(`rows are locked in key order, whatever the order of the rotations${recorded ? '' : ' (tokens never recorded)'}: another process holding the first key makes the batch wait holding nothing, no deadlock (PostgreSQL, MariaDB)`, async function () {
      const url = testDatabaseUrl();
      if (url === undefined) this.skip(); // SQLite: one writer at a time
      const db = await openDatabase();
      const other = new Sequelize(url!.replace(/^mariadb:/i, 'mysql:'), { logging: false, pool: { max: 1 } });
      const stamp = sqlTime(sqlDialect(db.sequelize), NOW);
      try {
        // Both orders of the same two tokens: `${round}a` is first in key order (its jti, and its id when recorded).
        for (const [round, given] of [
          ['r1-', ['b', 'a']],
          ['r2-', ['a', 'b']],
        ] as const) {
          const [a, b] = [`${round}a`, `${round}b`];
          if (recorded) await record(db, [a, b]);
          const ids = new Map(
            (await db.sequelize.query<{ id: number; jti: string }>(`SELECT id, jti FROM token_blacklist_outstandingtoken`, { type: QueryTypes.SELECT })).map(
              (row) => [row.jti, Number(row.id)],
            ),
          );
          // The row each lock is taken on: the blacklist row of a recorded token, the outstanding row of a new one.
          const take = (jti: string, transaction: Transaction) =>
            recorded
              ? other.query(`INSERT INTO token_blacklist_blacklistedtoken (token_id, blacklisted_at) VALUES (${ids.get(jti)}, '${stamp}')`, { transaction })
              : other.query(
                  `INSERT INTO token_blacklist_outstandingtoken (jti, user_id, token, created_at, expires_at) VALUES ('${jti}', '1', 'token-${jti}', '${stamp}', '${stamp}')`,
                  { transaction },
                );
          const tx = await other.transaction();
          let attempts = 0;
          let result: Promise<boolean[]> | undefined;
          try {
            // The heavier transaction, so that MariaDB would pick the batch as the victim of a deadlock.
            for (let i = 0; i < 30; i += 1) {
              await other.query(
                `INSERT INTO token_blacklist_outstandingtoken (jti, user_id, token, created_at, expires_at) VALUES ('${round}weight-${i}', '9', 'w', '${stamp}', '${stamp}')`,
                { transaction: tx },
              );
            }
            await take(a, tx);
            const batch = rotationBatch(db.sequelize, () => {
              attempts += 1;
              return NOW;
            });
            result = batch(
              given.map((name) => rotation(db, `${round}${name}`, `${round}${name}-next`)),
              later(),
            );
            await new Promise((resolve) => setTimeout(resolve, 300));
            // The batch waits for a and holds nothing yet: taking b does not deadlock.
            await take(b, tx);
          } finally {
            await tx.rollback();
          }
          expect(await result, `given ${given.join()}`).to.deep.equal([true, true]);
          expect(attempts, `given ${given.join()}: tries (a deadlock would have made it try again)`).to.equal(1);
        }
      } finally {
        await other.close();
      }
    });
  }

  it('a batch that loses a deadlock to another transaction is tried once more and wins (PostgreSQL, MariaDB)', async function () {
    const url = testDatabaseUrl();
    if (url === undefined) this.skip(); // SQLite: BEGIN IMMEDIATE takes the write lock first, no deadlock to lose
    const db = await openDatabase();
    const other = new Sequelize(url!.replace(/^mariadb:/i, 'mysql:'), { logging: false, pool: { max: 1 } });
    const stamp = sqlTime(sqlDialect(db.sequelize), NOW);
    try {
      for (let round = 1; ; round += 1) {
        const [a, b] = [`r${round}-a`, `r${round}-b`];
        await record(db, [a, b]);
        const ids = new Map(
          (await db.sequelize.query<{ id: number; jti: string }>(`SELECT id, jti FROM token_blacklist_outstandingtoken`, { type: QueryTypes.SELECT })).map(
            (row) => [row.jti, Number(row.id)],
          ),
        );
        const tx = await other.transaction();
        let attempts = 0;
        let result: Promise<boolean[]> | undefined;
        let otherLost = false;
        try {
          // The other transaction is the heavier one, so that MariaDB picks the batch as its victim.
          for (let i = 0; i < 30; i += 1) {
            await other.query(
              `INSERT INTO token_blacklist_outstandingtoken (jti, user_id, token, created_at, expires_at) VALUES ('r${round}-weight-${i}', '9', 'w', '${stamp}', '${stamp}')`,
              { transaction: tx },
            );
          }
          await other.query(`INSERT INTO token_blacklist_blacklistedtoken (token_id, blacklisted_at) VALUES (${ids.get(b)}, '${stamp}')`, { transaction: tx });
          const batch = rotationBatch(db.sequelize, () => {
            attempts += 1;
            return NOW;
          });
          // The batch locks a (its rows go in key order), then waits for b.
          result = batch([rotation(db, b, `${b}-next`), rotation(db, a, `${a}-next`)], later());
          await new Promise((resolve) => setTimeout(resolve, 300));
          // The other transaction now waits for a: a deadlock; the batch is the victim, rolls back, and tries again (waiting for a).
          await other
            .query(`INSERT INTO token_blacklist_blacklistedtoken (token_id, blacklisted_at) VALUES (${ids.get(a)}, '${stamp}')`, { transaction: tx })
            .catch((err: unknown) => {
              if (round >= 3 || !/deadlock/i.test(String(err))) throw err;
              otherLost = true;
            });
        } finally {
          await tx.rollback().catch(() => undefined);
        }
        expect(await result).to.deep.equal([true, true]);
        // No deadlock this round (the other transaction was the victim, or the batch was not waiting yet, under load): again.
        if ((otherLost || attempts === 1) && round < 3) continue;
        expect(attempts, 'tries').to.equal(2);
        const t = await tables(db);
        expect(t.rotations.filter((r) => r.startsWith(`r${round}-`))).to.deep.equal([`${a}>${a}-next`, `${b}>${b}-next`]);
        break;
      }
    } finally {
      await other.close();
    }
  });
});
