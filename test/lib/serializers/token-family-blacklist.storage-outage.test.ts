import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import request from 'supertest';
import { tokenFamilyBlacklistRouter } from '../../../lib';
import { useTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeSJ } from '../../helpers/fixtures';
import { appWith, pairFor } from '../../helpers/app';

const PATH = '/api/token/family/blacklist/';
const FAMILY_BLACKLIST_TABLE = 'token_family_blacklistedtokenfamily';

/**
 * Another client of the same database holding a lock that lets readers
 * through but makes every write to the family blacklist table wait: the
 * token still validates, only the family blacklist write cannot finish.
 */
async function holdWriteLock(db: TestDatabase): Promise<() => Promise<void>> {
  const holder =
    db.dialect === 'sqlite'
      ? new Sequelize({ dialect: 'sqlite', storage: db.url.replace(/^sqlite:\/\//, ''), logging: false })
      : new Sequelize(db.url.replace(/^mariadb:/i, 'mysql:'), { logging: false, pool: { max: 1, min: 0 } });
  if (db.dialect === 'sqlite') {
    await holder.query('BEGIN IMMEDIATE'); // a RESERVED lock: readers go on, writers are busy
  } else if (db.dialect === 'postgres') {
    await holder.query('BEGIN');
    await holder.query(`LOCK TABLE ${FAMILY_BLACKLIST_TABLE} IN EXCLUSIVE MODE`); // plain SELECTs go on
  } else {
    await holder.query(`LOCK TABLES ${FAMILY_BLACKLIST_TABLE} READ`); // other sessions may read, not write
  }
  return async () => {
    await holder.query(db.dialect === 'mysql' ? 'UNLOCK TABLES' : 'ROLLBACK');
    await holder.close();
  };
}

describe('TokenFamilyBlacklistSerializer: the family blacklist write cannot finish', function () {
  const openDatabase = useTestDatabase();

  it('503 service_unavailable (not a 400 carrying the storage error); once the lock is gone a retry leaves the family blacklisted', async function () {
    this.timeout(20_000);
    const db = await openDatabase();
    const { sj } = makeSJ({
      sequelize: db.sequelize,
      apps: { blacklist: true, tokenFamily: true },
      tokenFamilyEnabled: true,
      storageTimeout: 0.5,
    });
    const app = appWith(tokenFamilyBlacklistRouter(sj), PATH);
    const { refresh } = await pairFor(sj);

    const release = await holdWriteLock(db);
    let res: request.Response;
    try {
      res = await request(app).post(PATH).send({ refresh });
    } finally {
      await release();
    }
    expect(res.status, JSON.stringify(res.body)).to.equal(503);
    expect(res.body.code).to.equal('service_unavailable');
    expect(res.body).not.to.have.property('refresh');

    // The write that timed out may still land once the lock is released (the 503 says "unknown", not "not done"):
    // the retry then finds the family already blacklisted. Either way the family ends blacklisted.
    const again = await request(app).post(PATH).send({ refresh });
    if (again.status !== 200) expect(again.body, JSON.stringify(again.body)).to.deep.equal({ detail: 'Token family is blacklisted', code: 'token_not_valid' });
    expect(await sj.revocation.isFamilyBlacklisted(new sj.RefreshToken(refresh).getFamilyId()!)).to.equal(true);
  });
});
