import { expect } from 'chai';
import { AccessToken, TokenError } from '../../../lib';
import { appsOnMemoryDatabase, makeSJ } from '../../helpers/fixtures';

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

describe('RefreshToken', () => {
  it('is of type refresh, lives refreshTokenLifetime', () => {
    const { sj } = makeSJ();
    const token = new sj.RefreshToken();
    expect(token.get('token_type')).to.equal('refresh');
    expect((token.get('exp') as number) - (token.get('iat') as number)).to.equal(86400);
  });

  describe('accessToken', () => {
    it('copies every claim except noCopyClaims, with a new jti', async () => {
      const { sj, users } = makeSJ();
      const refresh = await sj.RefreshToken.forUser(users.users.get('1')!);
      refresh.set('name', 'Alice').set('roles', ['admin']);
      const access = refresh.accessToken;
      expect(access).to.be.instanceOf(sj.AccessToken);
      expect(access.get('token_type')).to.equal('access');
      expect(access.get('user_id')).to.equal('1');
      expect(access.get('name')).to.equal('Alice');
      expect(access.get('roles')).to.deep.equal(['admin']);
      expect(access.get('jti'))
        .to.match(/^[0-9a-f]{32}$/)
        .and.not.equal(refresh.get('jti'));
      expect(refresh.noCopyClaims).to.deep.equal(['token_type', 'exp', 'jti', 'jti', 'iat']);
    });

    it('its exp counts from when the refresh token object was made', () => {
      const { sj, clock } = makeSJ();
      const raw = String(new sj.RefreshToken());
      clock.advance(3600);
      const decodedAt = clock.now();
      const refresh = new sj.RefreshToken(raw);
      clock.advance(100);
      const access = refresh.accessToken;
      expect(access.get('exp')).to.equal(epoch(decodedAt) + 300);
      expect(access.get('iat')).to.equal(epoch(clock.now()));
    });

    it('honours custom type and jti claim names in noCopyClaims', () => {
      const { sj } = makeSJ({ tokenTypeClaim: 'kind', jtiClaim: 'tid' });
      const refresh = new sj.RefreshToken();
      expect(refresh.noCopyClaims).to.deep.equal(['kind', 'exp', 'tid', 'jti', 'iat']);
      refresh.set('jti', 'legacy');
      const access = refresh.accessToken;
      expect(access.get('kind')).to.equal('access');
      expect(access.get('tid')).not.to.equal(refresh.get('tid'));
      expect(access.has('jti')).to.equal(false);
    });

    it('leaves the family claims out unless tokenFamilyCheckOnAccess', () => {
      const off = makeSJ().sj;
      const refresh = new off.RefreshToken();
      refresh.set('family_id', 'f'.repeat(32)).set('family_exp', 2_000_000_000);
      expect(refresh.accessToken.has('family_id')).to.equal(false);
      expect(refresh.accessToken.has('family_exp')).to.equal(false);

      const on = makeSJ({ ...appsOnMemoryDatabase(), tokenFamilyCheckOnAccess: true }).sj;
      const refreshOn = new on.RefreshToken();
      refreshOn.set('family_id', 'f'.repeat(32)).set('family_exp', 2_000_000_000);
      expect(refreshOn.accessToken.get('family_id')).to.equal('f'.repeat(32));
      expect(refreshOn.accessToken.get('family_exp')).to.equal(2_000_000_000);
    });

    it('builds accessTokenClass when a subclass sets it', () => {
      const { sj } = makeSJ();
      class LongAccess extends sj.AccessToken {
        static override lifetime = '1h';
      }
      class MyRefresh extends sj.RefreshToken {
        static override accessTokenClass = LongAccess;
      }
      const access = new MyRefresh().accessToken;
      expect(access).to.be.instanceOf(LongAccess).and.instanceOf(AccessToken);
      expect((access.get('exp') as number) - (access.get('iat') as number)).to.equal(3600);
    });

    it('the access token verifies as an AccessToken and not as a refresh token', () => {
      const { sj } = makeSJ();
      const access = String(new sj.RefreshToken().accessToken);
      expect(() => new sj.AccessToken(access)).not.to.throw();
      expect(() => new sj.RefreshToken(access)).to.throw(TokenError, 'Token has wrong type');
    });
  });
});
