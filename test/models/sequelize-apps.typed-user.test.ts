import { expect } from 'chai';
import { TokenError } from '../../lib';
import { type AppStorage } from '../../lib/extend';
import { sequelizeApps } from '../../models';
import { useTestDatabase } from '../helpers/database';
import { makeSJ } from '../helpers/fixtures';

// The call below is also a type test: `npm run typecheck` fails if sequelizeApps()
// refuses a SimpleJWT typed with its user (makeSJ() gives a SimpleJWT<TestUser>).
describe('sequelizeApps() with a SimpleJWT typed by its user', () => {
  const openDatabase = useTestDatabase();

  it('takes a SimpleJWT<User>; installed with useApps(), its storage blacklists tokens', async () => {
    const db = await openDatabase();
    const { sj, users } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true } });
    const storage: AppStorage = sequelizeApps(sj);
    sj.useApps(storage);
    const refresh = await sj.RefreshToken.forUser(users.users.get('1')!);
    const [, created] = await refresh.blacklist();
    expect(created).to.equal(true);
    await expectTokenError(new sj.RefreshToken(String(refresh)).verify(), 'Token is blacklisted');
  });
});

async function expectTokenError(work: Promise<unknown>, message: string): Promise<void> {
  try {
    await work;
  } catch (err) {
    expect(err).to.be.instanceOf(TokenError);
    expect((err as Error).message).to.equal(message);
    return;
  }
  expect.fail(`expected TokenError '${message}'`);
}
