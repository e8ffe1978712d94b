import { expect } from 'chai';
import { defineModels } from '../../models';
import { SequelizeSessionApp } from '../../models/sessions';
import { useTestDatabase } from '../helpers/database';

/** The session side table read and written directly (models/sessions.ts). */
describe('SequelizeSessionApp: the session side table', () => {
  const openDatabase = useTestDatabase();
  const created = new Date('2026-03-01T10:00:00.000Z');

  async function withFamilies(...ids: Array<[string, Date | null]>) {
    const db = await openDatabase();
    const { TokenFamily } = defineModels(db.sequelize);
    for (const [familyId, expiresAt] of ids) await TokenFamily.create({ family_id: familyId, user_id: '1', created_at: created, expires_at: expiresAt });
    return { db, app: new SequelizeSessionApp(db.sequelize) };
  }

  it('a family without session metadata (started by a Django service) is listed with its creation as last use, and no expiry when it has none', async () => {
    const later = new Date('2026-04-01T00:00:00.000Z');
    const { app } = await withFamilies(['django', null], ['expiring', later]);
    const now = new Date('2026-03-02T00:00:00.000Z');
    const sessions = await app.list('1', now);
    expect(sessions.map((s) => s.familyId).sort()).to.deep.equal(['django', 'expiring']);
    for (const session of sessions) {
      expect(session.createdAt.toISOString()).to.equal(created.toISOString());
      expect(session.lastUsedAt.toISOString(), session.familyId).to.equal(created.toISOString());
      expect(session.userAgent).to.equal(null);
      expect(session.ip).to.equal(null);
    }
    expect(sessions.find((s) => s.familyId === 'django')!.expiresAt).to.equal(null);
    expect(sessions.find((s) => s.familyId === 'expiring')!.expiresAt!.toISOString()).to.equal(later.toISOString());
    expect((await app.list('1', now, 'django')).map((s) => s.familyId)).to.deep.equal(['django']);
  });

  it('touch() marks every family given in one statement, each with its own session, and leaves the others', async () => {
    const { app } = await withFamilies(['a', null], ['b', null], ['c', null]);
    for (const familyId of ['a', 'b', 'c']) await app.start({ familyId, createdAt: created, userAgent: `ua-${familyId}`, ip: '10.0.0.1' });
    const used = new Date('2026-03-01T11:00:00.000Z');
    await app.touch(['b', 'a'], used);
    await app.touch([], new Date('2026-03-01T12:00:00.000Z'));
    const sessions = await app.list('1', used);
    const lastUse = Object.fromEntries(sessions.map((s) => [s.familyId, s.lastUsedAt.toISOString()]));
    expect(lastUse).to.deep.equal({ a: used.toISOString(), b: used.toISOString(), c: created.toISOString() });
    expect(sessions.find((s) => s.familyId === 'a')!.userAgent).to.equal('ua-a');
  });
});
