import { expect } from 'chai';
import { AccessToken, RefreshToken, SlidingToken, TokenObtainPairSerializer, UntypedToken } from '../../../lib';
import { makeSJ } from '../../helpers/fixtures';

describe('sj.bind(): one token-class binder that caches', () => {
  it("maps the package's base classes to the instance's own", () => {
    const { sj } = makeSJ();
    expect(sj.bind(AccessToken)).to.equal(sj.AccessToken);
    expect(sj.bind(RefreshToken)).to.equal(sj.RefreshToken);
    expect(sj.bind(SlidingToken)).to.equal(sj.SlidingToken);
    expect(sj.bind(UntypedToken)).to.equal(sj.UntypedToken);
  });

  it('returns a class already bound to the instance as it is', () => {
    const { sj } = makeSJ();
    class Week extends sj.RefreshToken {
      static override lifetime = '7d';
    }
    expect(sj.bind(Week)).to.equal(Week);
    expect(sj.bind(sj.RefreshToken)).to.equal(sj.RefreshToken);
  });

  it("binds an app's subclass once: the same bound class on every call, with its own behaviour and this instance's settings", () => {
    const { sj, clock } = makeSJ();
    class Week extends RefreshToken {
      static override lifetime = '7d';
    }
    const Bound = sj.bind(Week);
    expect(sj.bind(Week)).to.equal(Bound);
    expect(Bound).not.to.equal(Week);
    expect(Bound.name).to.equal('Week');
    const token = new Bound();
    expect(token).to.be.instanceOf(Week);
    expect(token.get('exp')).to.equal(Math.floor(clock.now().getTime() / 1000) + 7 * 24 * 3600);
  });

  it('binds per instance: two instances get two classes, each cached', () => {
    const a = makeSJ().sj;
    const b = makeSJ().sj;
    class Week extends RefreshToken {
      static override lifetime = '7d';
    }
    expect(a.bind(Week)).not.to.equal(b.bind(Week));
    expect(a.bind(Week).sj).to.equal(a);
    expect(b.bind(Week).sj).to.equal(b);
    // A class bound to another instance is bound again here, once.
    expect(a.bind(b.RefreshToken)).to.equal(a.bind(b.RefreshToken));
    expect(a.bind(b.RefreshToken).sj).to.equal(a);
  });

  it("a serializer's tokenClass is bound by the same binder: getToken() mints instances of one class", async () => {
    const { sj, users } = makeSJ();
    class Week extends RefreshToken {
      static override lifetime = '7d';
    }
    class WeekObtain extends TokenObtainPairSerializer {
      static override tokenClass = Week;
    }
    const alice = users.users.get('1')!;
    const first = await WeekObtain.getToken(alice, sj);
    const second = await WeekObtain.getToken(alice, sj);
    expect(first.constructor).to.equal(second.constructor);
    expect(first.constructor).to.equal(sj.bind(Week));
  });

  it('authTokenClasses are bound by it too', () => {
    class Strict extends AccessToken {}
    const { sj } = makeSJ({ authTokenClasses: ['AccessToken', Strict] });
    expect(sj.authTokenClasses[0]).to.equal(sj.AccessToken);
    expect(sj.authTokenClasses[1]).to.equal(sj.bind(Strict));
  });
});
