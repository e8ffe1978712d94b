/**
 * The one-query state of a presented refresh token (models/token-state.ts),
 * on the database of the run (SQLite, or TEST_DATABASE_URL): blacklisted or
 * not, the rotation that consumed it (its successor, when, and whether the
 * successor was rotated in turn), the family blacklisted or not, for each
 * combination of the apps. The refresh view decides reuse and the reuse
 * interval from these answers.
 */
import { expect } from 'chai';
import { defineModels } from '../../models/define-models';
import { tokenStateQuery } from '../../models/token-state';
import { useTestDatabase, type TestDatabase } from '../helpers/database';

const BOTH = { blacklist: true, tokenFamily: true };
const BLACKLIST_ONLY = { blacklist: true, tokenFamily: false };
const FAMILY_ONLY = { blacklist: false, tokenFamily: true };

const CREATED = new Date('2026-01-01T10:00:00.000Z');
const EXPIRES = new Date('2999-01-01T00:00:00.000Z');
const ROTATED = new Date('2026-01-01T11:22:33.000Z');
const NOTHING = { blacklisted: false, familyBlacklisted: false, rotation: null };

/** A chain of tokens a → b → c: a rotated into b, b rotated into c, c live; `x` blacklisted by logout (no rotation); family `fam-bl` blacklisted, `fam-ok` not. */
async function seed(db: TestDatabase): Promise<void> {
  const { OutstandingToken, BlacklistedToken, TokenRotation, TokenFamily, BlacklistedTokenFamily } = defineModels(db.sequelize);
  const row = (jti: string) => OutstandingToken.create({ jti, token: `token-${jti}`, user_id: '1', created_at: CREATED, expires_at: EXPIRES });
  // Ids not in step with the names: a join on the wrong column answers for the wrong token.
  await row('pad-1');
  await row('pad-2');
  const c = await row('c');
  const b = await row('b');
  const x = await row('x');
  const a = await row('a');
  await row('live');
  for (const consumed of [a, b, x]) await BlacklistedToken.create({ token_id: consumed.id, blacklisted_at: ROTATED });
  await TokenRotation.create({ token_id: a.id, successor_id: b.id, rotated_at: ROTATED });
  await TokenRotation.create({ token_id: b.id, successor_id: c.id, rotated_at: new Date(ROTATED.getTime() + 5000) });
  await TokenFamily.create({ family_id: 'fam-ok', user_id: '1', created_at: CREATED, expires_at: null });
  const bad = await TokenFamily.create({ family_id: 'fam-bl', user_id: '1', created_at: CREATED, expires_at: null });
  await BlacklistedTokenFamily.create({ family_id: bad.id, blacklisted_at: ROTATED });
}

describe('tokenState: one query for blacklist, rotation and family', () => {
  const openDatabase = useTestDatabase();

  it('both apps: a live token in a live family, an unknown jti and family: nothing', async () => {
    const db = await openDatabase();
    await seed(db);
    const state = tokenStateQuery(db.sequelize, BOTH);
    expect(await state('live', 'fam-ok')).to.deep.equal(NOTHING);
    expect(await state('never-recorded', 'no-such-family')).to.deep.equal(NOTHING);
    expect(await state('c', null)).to.deep.equal(NOTHING);
  });

  it('both apps: a token blacklisted without rotation (logout) is blacklisted with no rotation', async () => {
    const db = await openDatabase();
    await seed(db);
    const state = tokenStateQuery(db.sequelize, BOTH);
    expect(await state('x', 'fam-ok')).to.deep.equal({ blacklisted: true, familyBlacklisted: false, rotation: null });
  });

  it('both apps: a rotated token answers its successor, when it was rotated, and whether the successor was rotated too', async () => {
    const db = await openDatabase();
    await seed(db);
    const state = tokenStateQuery(db.sequelize, BOTH);
    expect(await state('a', 'fam-ok')).to.deep.equal({
      blacklisted: true,
      familyBlacklisted: false,
      rotation: { successor: 'token-b', rotatedAt: ROTATED, successorRotated: true },
    });
    expect(await state('b', 'fam-ok')).to.deep.equal({
      blacklisted: true,
      familyBlacklisted: false,
      rotation: { successor: 'token-c', rotatedAt: new Date(ROTATED.getTime() + 5000), successorRotated: false },
    });
  });

  it('both apps: a blacklisted family, with the jti state answered alongside', async () => {
    const db = await openDatabase();
    await seed(db);
    const state = tokenStateQuery(db.sequelize, BOTH);
    expect(await state('live', 'fam-bl')).to.deep.equal({ blacklisted: false, familyBlacklisted: true, rotation: null });
    expect(await state('x', 'fam-bl')).to.deep.equal({ blacklisted: true, familyBlacklisted: true, rotation: null });
    expect(await state(null, 'fam-bl')).to.deep.equal({ blacklisted: false, familyBlacklisted: true, rotation: null });
  });

  it('blacklist app only: the family is never asked (and its tables need not exist)', async () => {
    const db = await openDatabase({ migrate: BLACKLIST_ONLY });
    const { OutstandingToken, BlacklistedToken, TokenRotation } = defineModels(db.sequelize);
    const a = await OutstandingToken.create({ jti: 'a', token: 'token-a', user_id: '1', created_at: CREATED, expires_at: EXPIRES });
    const b = await OutstandingToken.create({ jti: 'b', token: 'token-b', user_id: '1', created_at: CREATED, expires_at: EXPIRES });
    await BlacklistedToken.create({ token_id: a.id, blacklisted_at: ROTATED });
    await TokenRotation.create({ token_id: a.id, successor_id: b.id, rotated_at: ROTATED });
    const state = tokenStateQuery(db.sequelize, BLACKLIST_ONLY);
    expect(await state('a', 'fam-bl')).to.deep.equal({
      blacklisted: true,
      familyBlacklisted: false,
      rotation: { successor: 'token-b', rotatedAt: ROTATED, successorRotated: false },
    });
    expect(await state('b', 'fam-bl')).to.deep.equal(NOTHING);
  });

  it('family app only: the family is the first bound value, the jti is never asked (and the blacklist tables need not exist)', async () => {
    const db = await openDatabase({ migrate: FAMILY_ONLY });
    const { TokenFamily, BlacklistedTokenFamily } = defineModels(db.sequelize);
    await TokenFamily.create({ family_id: 'fam-ok', user_id: '1', created_at: CREATED, expires_at: null });
    const bad = await TokenFamily.create({ family_id: 'fam-bl', user_id: '1', created_at: CREATED, expires_at: null });
    await BlacklistedTokenFamily.create({ family_id: bad.id, blacklisted_at: ROTATED });
    const state = tokenStateQuery(db.sequelize, FAMILY_ONLY);
    expect(await state('any-jti', 'fam-bl')).to.deep.equal({ blacklisted: false, familyBlacklisted: true, rotation: null });
    expect(await state('any-jti', 'fam-ok')).to.deep.equal(NOTHING);
    expect(await state(null, 'no-such-family')).to.deep.equal(NOTHING);
  });

  it('blacklist app only, the family tables migrated and the family blacklisted: still not reported', async () => {
    const db = await openDatabase();
    await seed(db);
    const state = tokenStateQuery(db.sequelize, BLACKLIST_ONLY);
    expect(await state('live', 'fam-bl')).to.deep.equal(NOTHING);
  });

  it('family app only, the blacklist tables migrated and the jti rotated: still not reported', async () => {
    const db = await openDatabase();
    await seed(db);
    const state = tokenStateQuery(db.sequelize, FAMILY_ONLY);
    expect(await state('a', 'fam-ok')).to.deep.equal(NOTHING);
  });
});
