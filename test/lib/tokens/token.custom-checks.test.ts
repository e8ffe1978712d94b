import { expect } from 'chai';
import type { SimpleJWTOptions } from '../../../lib';
import { useTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeSJ, type TestUser } from '../../helpers/fixtures';
import { expectRejected } from '../../helpers/storage';

// verify() checks the blacklist and the family in one query, unless a subclass
// overrides checkBlacklist() or checkFamilyBlacklist(): then it calls the checks
// one by one, so that the override runs (and decides), as in Simple JWT.
describe('verify() with a subclass that overrides checkBlacklist() or checkFamilyBlacklist()', () => {
  const openDatabase = useTestDatabase();

  async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
    const db: TestDatabase = await openDatabase();
    const made = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true, tokenFamily: true }, tokenFamilyEnabled: true, ...options });
    return { ...made, alice: made.users.users.get('1')! };
  }

  it('an overridden checkBlacklist() runs and decides; the family check still runs', async () => {
    const { sj, alice } = await setup();
    const calls: string[] = [];
    class AuditedRefresh extends sj.RefreshToken {
      override async checkBlacklist(): Promise<void> {
        calls.push(this.jti());
        await super.checkBlacklist();
      }
    }
    const refresh = await AuditedRefresh.forUser(alice);
    await new AuditedRefresh(String(refresh)).verify();
    expect(calls).to.deep.equal([refresh.jti()]);
    await refresh.blacklist();
    await expectRejected(new AuditedRefresh(String(refresh)).verify(), 'Token is blacklisted');

    const other = await AuditedRefresh.forUser(alice);
    await other.blacklistFamily();
    await expectRejected(new AuditedRefresh(String(other)).verify(), 'Token family is blacklisted');
  });

  it('an override that lets every token through is obeyed (the subclass owns the check)', async () => {
    const { sj, alice } = await setup();
    class NoBlacklistCheck extends sj.RefreshToken {
      override async checkBlacklist(): Promise<void> {}
    }
    const refresh = await NoBlacklistCheck.forUser(alice);
    await refresh.blacklist();
    await new NoBlacklistCheck(String(refresh)).verify();
    await expectRejected(new sj.RefreshToken(String(refresh)).verify(), 'Token is blacklisted');
  });

  it('an overridden checkFamilyBlacklist() runs and decides; the blacklist check still runs', async () => {
    const { sj, alice } = await setup();
    let calls = 0;
    class LenientFamily extends sj.RefreshToken {
      override async checkFamilyBlacklist(): Promise<void> {
        calls++;
      }
    }
    const refresh = await LenientFamily.forUser(alice);
    await refresh.blacklistFamily();
    await new LenientFamily(String(refresh)).verify();
    expect(calls).to.equal(1);
    await expectRejected(new sj.RefreshToken(String(refresh)).verify(), 'Token family is blacklisted');
    await refresh.blacklist();
    await expectRejected(new LenientFamily(String(refresh)).verify(), 'Token is blacklisted');
  });

  it('only the checks of the enabled apps and settings are called', async () => {
    const onlyBlacklist = await setup({ tokenFamilyEnabled: false });
    const calls: string[] = [];
    class Both extends onlyBlacklist.sj.RefreshToken {
      override async checkBlacklist(): Promise<void> {
        calls.push('blacklist');
      }
      override async checkFamilyBlacklist(): Promise<void> {
        calls.push('family');
      }
    }
    await new Both(String(await Both.forUser(onlyBlacklist.alice))).verify();
    expect(calls).to.deep.equal(['blacklist']);

    const onlyFamily = await setup({ apps: { tokenFamily: true } });
    const familyCalls: string[] = [];
    class BothToo extends onlyFamily.sj.RefreshToken {
      override async checkBlacklist(): Promise<void> {
        familyCalls.push('blacklist');
      }
      override async checkFamilyBlacklist(): Promise<void> {
        familyCalls.push('family');
      }
    }
    await new BothToo(String(await BothToo.forUser(onlyFamily.alice))).verify();
    expect(familyCalls).to.deep.equal(['family']);
  });
});
