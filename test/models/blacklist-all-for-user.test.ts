import { expect } from 'chai';
import { ServiceUnavailable } from '../../lib';
import { sequelizeApps } from '../../models';
import { useTestDatabase } from '../helpers/database';
import { makeSJ } from '../helpers/fixtures';
import { expectRejected } from '../helpers/storage';

describe('sj.revocation.blacklistAllForUser() ("log out everywhere")', () => {
  const openDatabase = useTestDatabase();

  it("stops every refresh token and family-checked access token of the user; another user's keep working", async () => {
    const db = await openDatabase();
    const { sj, clock, users } = makeSJ({
      sequelize: db.sequelize,
      apps: { blacklist: true, tokenFamily: true },
      tokenFamilyEnabled: true,
      tokenFamilyCheckOnAccess: true,
    });
    const [alice, bob] = [users.users.get('1')!, users.users.get('2')!];
    const laptop = await sj.RefreshToken.forUser(alice);
    const phone = await sj.RefreshToken.forUser(alice);
    const sliding = await sj.SlidingToken.forUser(alice);
    const accesses = [String(laptop.accessToken), String(phone.accessToken)];
    const bobs = await sj.RefreshToken.forUser(bob);
    const bobsAccess = String(bobs.accessToken);
    await phone.blacklist(); // already logged out on the phone
    clock.advance(10);

    expect(await sj.revocation.blacklistAllForUser(1)).to.deep.equal({ tokens: 2, families: 2 });

    for (const t of [laptop, phone]) await expectRejected(new sj.RefreshToken(String(t)).verify(), 'Token is blacklisted');
    await expectRejected(new sj.SlidingToken(String(sliding)).verify(), 'Token is blacklisted');
    for (const a of accesses) await expectRejected(new sj.AccessToken(a).verify(), 'Token family is blacklisted');
    await new sj.RefreshToken(String(bobs)).verify();
    await new sj.AccessToken(bobsAccess).verify();
    // idempotent
    expect(await sj.revocation.blacklistAllForUser('1')).to.deep.equal({ tokens: 0, families: 0 });
  });

  it('leaves expired tokens alone and works with only the blacklist app', async () => {
    const db = await openDatabase();
    const { sj, clock, users } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true }, refreshTokenLifetime: 60 });
    const alice = users.users.get('1')!;
    await sj.RefreshToken.forUser(alice);
    clock.advance(120);
    const fresh = await sj.RefreshToken.forUser(alice);
    expect(await sj.revocation.blacklistAllForUser('1')).to.deep.equal({ tokens: 1, families: 0 });
    await expectRejected(new sj.RefreshToken(String(fresh)).verify(), 'Token is blacklisted');
  });

  it('needs an app', () => {
    const { sj } = makeSJ();
    return sj.revocation.blacklistAllForUser('1').then(
      () => expect.fail('resolved'),
      (err: Error) => expect(err.message).to.match(/needs the blacklist or token family app/),
    );
  });

  it('is bounded by storageTimeout, each app: a storage that never answers is a 503, not a hang', async () => {
    const db = await openDatabase();
    const { sj } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true, tokenFamily: true }, storageTimeout: 0.3 });
    const storage = sequelizeApps(sj);
    const never = () => new Promise<number>(() => undefined);
    for (const stuck of ['blacklist', 'family'] as const) {
      sj.useApps({
        ...storage,
        blacklist: stuck === 'blacklist' ? Object.assign(Object.create(storage.blacklist), { blacklistUser: never }) : storage.blacklist,
        family: stuck === 'family' ? Object.assign(Object.create(storage.family), { blacklistUserFamilies: never }) : storage.family,
      });
      const started = Date.now();
      const err = await sj.revocation.blacklistAllForUser(1).catch((e: unknown) => e);
      expect(err, stuck).to.be.instanceOf(ServiceUnavailable);
      expect(Date.now() - started, stuck).to.be.below(1500);
    }
  });
});
