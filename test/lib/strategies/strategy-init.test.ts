import { expect } from 'chai';
import type { Request } from 'express';
import { AuthenticationFailed, JWTStatelessStrategy, JWTStrategy, JWTTokenUserStrategy, SimpleJWT } from '../../../lib';
import { SECRET, makeSJ } from '../../helpers/fixtures';

describe('strategies: construction', () => {
  it("JWTStrategy is named 'passport-simplejwt', the stateless one 'passport-simplejwt-stateless'", () => {
    const { sj } = makeSJ();
    expect(new JWTStrategy(sj).name).to.equal('passport-simplejwt');
    expect(new JWTStatelessStrategy(sj).name).to.equal('passport-simplejwt-stateless');
    expect(JWTTokenUserStrategy).to.equal(JWTStatelessStrategy);
  });

  it('registers under the name option', () => {
    const { sj } = makeSJ();
    expect(new JWTStrategy(sj, { name: 'api-jwt' }).name).to.equal('api-jwt');
    expect(() => new JWTStrategy(sj, { name: '' })).to.throw(TypeError, "passport-simplejwt: the strategy option 'name' must be a non-empty string");
  });

  it('needs a SimpleJWT instance, and JWTStrategy needs its users store', () => {
    expect(() => new JWTStrategy(undefined as never)).to.throw(TypeError, 'passport-simplejwt: the strategy needs a SimpleJWT instance');
    expect(() => new JWTStrategy(new SimpleJWT({ signingKey: SECRET }))).to.throw(
      TypeError,
      "passport-simplejwt: this needs the 'users' setting (a UserStore)",
    );
    expect(() => new JWTStatelessStrategy(new SimpleJWT({ signingKey: SECRET }))).not.to.throw();
  });

  it('exposes the Simple JWT authentication API', () => {
    const { sj } = makeSJ({ authHeaderTypes: ['Bearer', 'JWT'] });
    const strategy = new JWTStrategy(sj);
    expect(strategy.authenticateHeader()).to.equal('Bearer realm="api"');
    expect(strategy.wwwAuthenticateRealm).to.equal('api');
    expect(strategy.mediaType).to.equal('application/json');
    expect(strategy.getHeader({ headers: { authorization: 'JWT abc' } } as Request)).to.equal('JWT abc');
    expect(strategy.getHeader({ headers: {} } as Request)).to.equal(undefined);
    expect(strategy.getRawToken('JWT abc')).to.equal('abc');
    expect(strategy.getRawToken('Bearer  abc ')).to.equal('abc');
    expect(strategy.getRawToken('Basic abc')).to.equal(null);
    expect(strategy.getRawToken('')).to.equal(null);
    expect(strategy.getRawToken('bearer abc'), 'schemes compare case-insensitively (RFC 7235)').to.equal('abc');
    expect(() => strategy.getRawToken('Bearer')).to.throw(AuthenticationFailed, 'Authorization header must contain two space-delimited values');
    expect(() => strategy.getRawToken('Bearer a b')).to.throw(AuthenticationFailed, 'Authorization header must contain two space-delimited values');
  });

  it('splits the header on ASCII whitespace only, as Simple JWT', () => {
    const { sj } = makeSJ();
    const strategy = new JWTStrategy(sj);
    // A no-break space is part of the word: one part, not the Bearer scheme.
    expect(strategy.getRawToken('Bearer\u00a0abc')).to.equal(null);
    expect(strategy.getRawToken('Bearer\tabc')).to.equal('abc');
  });

  it('getValidatedToken() and getUser() work without HTTP', async () => {
    const { sj, users } = makeSJ();
    const strategy = new JWTStrategy(sj);
    const raw = String(await sj.AccessToken.forUser(users.users.get('1')!));
    const token = await strategy.getValidatedToken(raw);
    expect(token).to.be.instanceOf(sj.AccessToken);
    expect(await strategy.getUser(token)).to.equal(users.users.get('1'));
  });
});
