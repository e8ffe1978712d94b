import { expect } from 'chai';
import type { Request } from 'express';
import { LOGIN_BLOCKED_ADDRESSES_MAX, LoginThrottle, foldUsername } from '../../../lib/services/login-throttle';
import { ServiceUnavailable, Throttled } from '../../../lib/errors';
import { resolveSettings } from '../../../lib/extend';
import { SECRET, makeSJ } from '../../helpers/fixtures';

/** A memory-store throttle whose addresses are blocked at their 2nd attempt; the tarpit off (answers at once). */
function throttle(): LoginThrottle {
  const settings = resolveSettings({ signingKey: SECRET, loginThrottle: { perAddress: 1, failures: 1_000_000 } }).loginThrottle!;
  const t = new LoginThrottle(settings);
  t.tarpit.delayMs = 0;
  return t;
}

/** Blocks `address`: one attempt spends its count, the next is refused by the counter. */
async function block(t: LoginThrottle, address: string): Promise<void> {
  await t.begin('someone', address);
  const refused = await t.begin('someone', address).then(
    () => null,
    (err: unknown) => err,
  );
  expect(refused).to.be.instanceOf(Throttled);
}

/** Whether the early refusal refuses `address` (awaited: a Throttled rejection). */
async function refusedEarly(t: LoginThrottle, address: string): Promise<boolean> {
  const refusal = t.refuseBlockedAddress(address);
  if (refusal === undefined) return false;
  const err = await refusal.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(Throttled);
  return true;
}

describe('LoginThrottle: the early refusal of blocked addresses', () => {
  it('refuses only an address its counter has refused; none, or one never refused, goes on', async () => {
    const t = throttle();
    expect(t.refuseBlockedAddress(undefined)).to.equal(undefined);
    expect(t.refuseBlockedAddress('192.0.2.1')).to.equal(undefined);
    await t.begin('someone', '192.0.2.1'); // at its limit, not over it
    expect(t.refuseBlockedAddress('192.0.2.1')).to.equal(undefined);
    await block(t, '192.0.2.2');
    const err = await t.refuseBlockedAddress('192.0.2.2')!.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(Throttled);
    expect((err as Throttled).status).to.equal(429);
    expect((err as Throttled).headers['Retry-After']).to.equal(String((err as Throttled).wait));
  });

  it(`remembers at most ${LOGIN_BLOCKED_ADDRESSES_MAX} blocked addresses: past it the oldest is forgotten (refused by its counter again, after its body)`, async function () {
    this.timeout(20_000);
    const t = throttle();
    for (let i = 0; i <= LOGIN_BLOCKED_ADDRESSES_MAX; i++) await block(t, `a${i}`);
    expect(await refusedEarly(t, 'a0'), 'the oldest forgotten').to.equal(false);
    expect(await refusedEarly(t, 'a1')).to.equal(true);
    expect(await refusedEarly(t, `a${LOGIN_BLOCKED_ADDRESSES_MAX}`)).to.equal(true);
    // Forgotten here, still over its count in the store: begin() refuses it and it is remembered again.
    const again = await t.begin('someone', 'a0').then(
      () => null,
      (e: unknown) => e,
    );
    expect(again).to.be.instanceOf(Throttled);
    expect(await refusedEarly(t, 'a0')).to.equal(true);
  });
});

describe('LoginThrottle: logins without a client address', () => {
  it('are not counted per address: no address is not one shared address', async () => {
    const settings = resolveSettings({ signingKey: SECRET, loginThrottle: { perAddress: 1, failures: 5 } }).loginThrottle!;
    const t = new LoginThrottle(settings);
    // perAddress 1 would refuse the second login of one address; without an address, each account counts alone.
    for (const username of ['ann', 'ben', 'cat']) await t.begin(username, undefined);
    for (let i = 1; i < 5; i++) await t.begin('ann', undefined);
    const sixth = await t.begin('ann', undefined).then(
      () => null,
      (err: unknown) => err,
    );
    expect(sixth, 'the account is still counted').to.be.instanceOf(Throttled);
  });
});

describe('foldUsername: a name as a case- and accent-insensitive, PAD SPACE collation compares it (the throttle counts unknown names by it)', () => {
  it('case, accents and compatibility forms fold; every trailing space goes; a space inside or in front stays', () => {
    expect(foldUsername('\u00c1LICE')).to.equal('alice');
    expect(foldUsername('alic\u0065\u0301')).to.equal('alice');
    expect(foldUsername('a\u0301\u0308li\u0300ce')).to.equal('alice'); // several marks, in several places
    expect(foldUsername('\uff41lice')).to.equal('alice'); // fullwidth a
    expect(foldUsername('alice   ')).to.equal('alice');
    expect(foldUsername('al ice')).to.equal('al ice');
    expect(foldUsername('  alice')).to.equal('  alice');
  });
});

describe('sj.beginLogin(): the throttle of an instance', () => {
  const from = (ip: string) => ({ ip }) as Request;

  it("counts the account the user store resolves (accountIdOf) from the request's address; a store without it counts the name", async () => {
    const { sj, users } = makeSJ({ loginThrottle: { failures: 2 } });
    sj.loginThrottle!.tarpit.delayMs = 0;
    users.accountIdOf = async (username) => (username === 'alice' || username === 'alice@example.com' ? '1' : null);
    await sj.beginLogin('alice@example.com', from('192.0.2.1'));
    await sj.beginLogin('alice@example.com', from('192.0.2.1'));
    // Her other name is the same account, from the same address: over the limit.
    expect(await sj.beginLogin('alice', from('192.0.2.1')).catch((err: unknown) => err)).to.be.instanceOf(Throttled);
    // From another address the pair is counted apart.
    await (await sj.beginLogin('alice', from('192.0.2.9'))).succeeded();

    const plain = makeSJ({ loginThrottle: { failures: 2 } }).sj;
    plain.loginThrottle!.tarpit.delayMs = 0;
    await plain.beginLogin('alice@example.com', from('192.0.2.1'));
    await plain.beginLogin('alice@example.com', from('192.0.2.1'));
    await (await plain.beginLogin('alice', from('192.0.2.1'))).succeeded();
    // A call without a request counts the account alone.
    await (await plain.beginLogin('bob')).succeeded();
  });

  it('an account look-up that never answers is given up at storageTimeout: 503, the login not let through', async () => {
    const { sj, users } = makeSJ({ loginThrottle: { failures: 2 }, storageTimeout: 0.2 });
    users.accountIdOf = () => new Promise<string | null>(() => undefined);
    const started = Date.now();
    const err = await sj.beginLogin('alice', from('192.0.2.1')).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ServiceUnavailable);
    expect(Date.now() - started).to.be.within(150, 2000);
  });
});
