import { createHash } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { AccessToken, ExpiredTokenError, RefreshToken, SimpleJWT, Token, TokenError } from '../../../lib';
import { Clock, SECRET, makeSJ, memoryUsers, type TestUser } from '../../helpers/fixtures';
import { rawJwt } from '../../helpers/http';

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

describe('Token (the methods of SPEC 3)', () => {
  describe('a new token', () => {
    it('carries token_type, exp, iat and a 32-hex jti', () => {
      const { sj, clock } = makeSJ();
      const token = new sj.AccessToken();
      const now = epoch(clock.now());
      expect(token.token).to.equal(null);
      expect(token.get('token_type')).to.equal('access');
      expect(token.get('iat')).to.equal(now);
      expect(token.get('exp')).to.equal(now + 300);
      expect(token.get('jti')).to.match(/^[0-9a-f]{32}$/);
      expect(new sj.AccessToken().get('jti')).not.to.equal(token.get('jti'));
      expect(token.currentTime.getTime()).to.equal(clock.now().getTime());
    });

    it('uses the lifetime of its class: refresh 1 day, sliding 5 min, overrides as durations', () => {
      const { sj } = makeSJ({ refreshTokenLifetime: '2h' });
      const refresh = new sj.RefreshToken();
      expect((refresh.get('exp') as number) - (refresh.get('iat') as number)).to.equal(7200);
      class LongAccess extends sj.AccessToken {
        static override lifetime = '1h';
      }
      const long = new LongAccess();
      expect((long.get('exp') as number) - (long.get('iat') as number)).to.equal(3600);
    });

    it('omits the type and id claims when their settings are null, and does not require them', () => {
      const { sj } = makeSJ({ tokenTypeClaim: null, jtiClaim: null });
      const token = new sj.AccessToken();
      expect(token.has('token_type')).to.equal(false);
      expect(token.has('jti')).to.equal(false);
      expect(new sj.AccessToken(String(token)).get('exp')).to.equal(token.get('exp'));
    });

    it('uses custom type and id claim names', () => {
      const { sj } = makeSJ({ tokenTypeClaim: 'typ_', jtiClaim: 'tid' });
      const token = new sj.RefreshToken();
      expect(token.get('typ_')).to.equal('refresh');
      expect(token.get('tid')).to.match(/^[0-9a-f]{32}$/);
      expect(token.has('jti')).to.equal(false);
      expect(() => new sj.AccessToken(String(token))).to.throw(TokenError, 'Token has wrong type');
    });
  });

  describe('payload access', () => {
    it('get / set / delete / has / payload', () => {
      const { sj } = makeSJ();
      const token = new sj.AccessToken();
      expect(token.get('name')).to.equal(undefined);
      expect(token.get('name', 'fallback')).to.equal('fallback');
      expect(token.has('name')).to.equal(false);
      expect(token.set('name', 'alice')).to.equal(token);
      expect(token.get('name', 'fallback')).to.equal('alice');
      expect(token.payload.name).to.equal('alice');
      expect(token.has('name')).to.equal(true);
      expect(token.delete('name')).to.equal(true);
      expect(token.has('name')).to.equal(false);
    });

    it('does not read Object.prototype members as claims', () => {
      const { sj } = makeSJ();
      const token = new sj.AccessToken();
      expect(token.has('toString')).to.equal(false);
      expect(token.get('constructor', 'none')).to.equal('none');
      token.set('__proto__', { polluted: true });
      expect(token.has('__proto__')).to.equal(true);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      const back = new sj.AccessToken(String(token));
      expect(back.get('__proto__')).to.deep.equal({ polluted: true });
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it('toString() signs, toJSON() is the same string, and decoding gives the claims back', () => {
      const { sj } = makeSJ();
      const token = new sj.AccessToken();
      token.set('user_id', '7');
      const raw = token.toString();
      expect(raw.split('.')).to.have.length(3);
      expect(JSON.parse(JSON.stringify({ access: token })).access).to.equal(raw);
      const back = new sj.AccessToken(raw);
      expect(back.token).to.equal(raw);
      expect({ ...back.payload }).to.deep.equal({ ...token.payload });
    });
  });

  describe('decoding errors (SPEC 8 messages)', () => {
    it('Token is invalid: garbage, a non-string, another key', () => {
      const { sj } = makeSJ();
      for (const bad of ['', 'garbage', 'a.b.c', String(new new SimpleJWT({ signingKey: 'another-secret-another-secret-xx' }).AccessToken())]) {
        expect(() => new sj.AccessToken(bad), bad).to.throw(TokenError, 'Token is invalid');
      }
      expect(() => new sj.AccessToken(42 as unknown as string)).to.throw(TokenError, 'Token is invalid');
    });

    it('Token is expired (ExpiredTokenError, a TokenError)', () => {
      const { sj, clock } = makeSJ();
      const raw = String(new sj.AccessToken());
      clock.advance(301);
      let caught: unknown;
      try {
        new sj.AccessToken(raw);
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(ExpiredTokenError).and.instanceOf(TokenError);
      expect((caught as Error).message).to.equal('Token is expired');
      expect((caught as TokenError).code).to.equal('token_not_valid');
    });

    it('Token has no id', () => {
      const { sj, clock } = makeSJ();
      const now = epoch(clock.now());
      const raw = jwt.sign({ token_type: 'access', exp: now + 60, iat: now }, SECRET);
      expect(() => new sj.AccessToken(raw)).to.throw(TokenError, 'Token has no id');
    });

    it('Token has no type', () => {
      const { sj, clock } = makeSJ();
      const now = epoch(clock.now());
      const raw = jwt.sign({ jti: 'x', exp: now + 60, iat: now }, SECRET);
      expect(() => new sj.AccessToken(raw)).to.throw(TokenError, 'Token has no type');
    });

    it('Token has wrong type', () => {
      const { sj } = makeSJ();
      expect(() => new sj.AccessToken(String(new sj.RefreshToken()))).to.throw(TokenError, 'Token has wrong type');
      expect(() => new sj.RefreshToken(String(new sj.AccessToken()))).to.throw(TokenError, 'Token has wrong type');
      expect(() => new sj.SlidingToken(String(new sj.AccessToken()))).to.throw(TokenError, 'Token has wrong type');
    });

    it("Token has no 'exp' claim (no zombie tokens without expiry)", () => {
      const { sj } = makeSJ();
      const raw = jwt.sign({ token_type: 'access', jti: 'x' }, SECRET, { noTimestamp: true });
      expect(() => new sj.AccessToken(raw)).to.throw(TokenError, "Token has no 'exp' claim");
    });

    it('Cannot create token with no type or lifetime', () => {
      const { sj } = makeSJ();
      class NoType extends sj.AccessToken {
        static override tokenType: string | null = null;
      }
      class NoLifetime extends sj.AccessToken {
        static override lifetime = 'forever';
      }
      expect(() => new NoType()).to.throw(TokenError, 'Cannot create token with no type or lifetime');
      expect(() => new NoLifetime()).to.throw(TokenError, 'Cannot create token with no type or lifetime');
    });

    it('the base Token (no type, no lifetime), bound or not, is a TokenError as in Simple JWT', () => {
      const { sj } = makeSJ();
      expect(() => new Token()).to.throw(TokenError, 'Cannot create token with no type or lifetime');
      expect(() => new Token(String(new sj.AccessToken()))).to.throw(TokenError, 'Cannot create token with no type or lifetime');
      class Typed extends Token {
        static override tokenType: string | null = 'custom';
      }
      expect(() => new Typed()).to.throw(TokenError, 'Cannot create token with no type or lifetime');
      class Plain extends Token {}
      const [Bound] = new SimpleJWT({ ...sj.options, authTokenClasses: [Plain] }).authTokenClasses;
      expect(Bound.sj).to.not.equal(undefined);
      expect(() => new Bound()).to.throw(TokenError, 'Cannot create token with no type or lifetime');
    });

    it('the unbound base classes with a type say how to get a bound one', () => {
      expect(() => new AccessToken()).to.throw(
        TypeError,
        'passport-simplejwt: AccessToken is not bound to a SimpleJWT instance; use sj.AccessToken or a subclass of it',
      );
    });
  });

  describe('verify: false and verify()', () => {
    it('verify: false reads the claims of an expired or foreign token without checking them', () => {
      const { sj, clock } = makeSJ();
      const raw = String(new sj.RefreshToken());
      clock.advance(2 * 86400);
      const token = new sj.RefreshToken(raw, { verify: false });
      expect(token.get('token_type')).to.equal('refresh');
    });

    it('verify() of a token decoded with verify: false checks the signature too', async () => {
      const { sj, clock } = makeSJ();
      const now = epoch(clock.now());
      const forged = jwt.sign({ token_type: 'access', exp: now + 60, iat: now, jti: 'x', user_id: '1' }, 'not-the-secret');
      const token = new sj.AccessToken(forged, { verify: false });
      let caught: unknown;
      await token.verify().catch((err) => (caught = err));
      expect(caught).to.be.instanceOf(TokenError);
      expect((caught as Error).message).to.equal('Token is invalid');
    });

    it('verify() of an expired token decoded with verify: false rejects with ExpiredTokenError', async () => {
      const { sj, clock } = makeSJ();
      const raw = String(new sj.AccessToken());
      clock.advance(301);
      const token = new sj.AccessToken(raw, { verify: false });
      let caught: unknown;
      await token.verify().catch((err) => (caught = err));
      expect(caught).to.be.instanceOf(ExpiredTokenError);
    });

    it('verify() re-checks the claims (a claim changed after decoding)', async () => {
      const { sj } = makeSJ();
      const token = new sj.AccessToken(String(new sj.AccessToken()));
      await token.verify();
      token.set('token_type', 'refresh');
      let caught: unknown;
      await token.verify().catch((err) => (caught = err));
      expect((caught as Error).message).to.equal('Token has wrong type');
    });

    it('verify() of a refresh token with the apps off touches no database', async () => {
      const { sj } = makeSJ();
      await new sj.RefreshToken(String(new sj.RefreshToken())).verify();
    });
  });

  describe('claim helpers', () => {
    it('verifyTokenType()', () => {
      const { sj } = makeSJ();
      const token = new sj.AccessToken();
      expect(() => token.verifyTokenType()).not.to.throw();
      token.set('token_type', 'refresh');
      expect(() => token.verifyTokenType()).to.throw(TokenError, 'Token has wrong type');
      token.delete('token_type');
      expect(() => token.verifyTokenType()).to.throw(TokenError, 'Token has no type');
    });

    it('setJti() sets a new uuid4 hex', () => {
      const { sj } = makeSJ();
      const token = new sj.AccessToken();
      const before = token.get('jti');
      token.setJti();
      expect(token.get('jti'))
        .to.match(/^[0-9a-f]{32}$/)
        .and.not.equal(before);
    });

    it('setExp(claim, fromTime, lifetime) and setIat(claim, atTime)', () => {
      const { sj, clock } = makeSJ();
      const token = new sj.AccessToken();
      const from = new Date(Date.UTC(2030, 0, 1));
      token.setExp('custom_exp', from, '2h');
      expect(token.get('custom_exp')).to.equal(epoch(from) + 7200);
      token.setExp('other_exp', from, 30);
      expect(token.get('other_exp')).to.equal(epoch(from) + 30);
      token.setExp();
      expect(token.get('exp')).to.equal(epoch(clock.now()) + 300);
      token.setIat('seen_at', from);
      expect(token.get('seen_at')).to.equal(epoch(from));
      clock.advance(10);
      token.setIat();
      expect(token.get('iat')).to.equal(epoch(token.currentTime));
      expect(() => token.setExp('exp', undefined, 'soon')).to.throw(TypeError, "invalid lifetime 'soon'");
    });

    it('setExp() takes a zero or negative lifetime: a token already expired (settings stay validated)', () => {
      const { sj, clock } = makeSJ();
      const now = epoch(clock.now());
      const token = new sj.AccessToken();
      token.setExp('exp', clock.now(), -60);
      expect(token.get('exp')).to.equal(now - 60);
      expect(() => new sj.AccessToken(String(token))).to.throw(ExpiredTokenError, 'Token is expired');
      token.setExp('exp', clock.now(), '-1h');
      expect(token.get('exp')).to.equal(now - 3600);
      token.setExp('exp', clock.now(), 0);
      expect(token.get('exp')).to.equal(now);
      expect(() => new sj.AccessToken(String(token))).to.throw(ExpiredTokenError, 'Token is expired');
      expect(() => token.setExp('exp', undefined, '-soon')).to.throw(TypeError, "invalid lifetime '-soon'");
      expect(() => makeSJ({ accessTokenLifetime: -60 })).to.throw(TypeError, "'accessTokenLifetime'");
      expect(() => makeSJ({ accessTokenLifetime: '-1h' })).to.throw(TypeError, "'accessTokenLifetime'");
    });

    it("checkExp(): Token has no '<claim>' claim / Token '<claim>' claim has expired", () => {
      const { sj, clock } = makeSJ();
      const token = new sj.AccessToken();
      expect(() => token.checkExp('refresh_exp')).to.throw(TokenError, "Token has no 'refresh_exp' claim");
      token.setExp('refresh_exp', clock.now(), 60);
      expect(() => token.checkExp('refresh_exp')).not.to.throw();
      const later = new Date(clock.now().getTime() + 60_000);
      expect(() => token.checkExp('refresh_exp', later)).to.throw(TokenError, "Token 'refresh_exp' claim has expired");
      expect(() => token.checkExp('refresh_exp', new Date(later.getTime() - 1000))).not.to.throw();
      token.set('bad_exp', 'tomorrow');
      expect(() => token.checkExp('bad_exp')).to.throw(TokenError, 'Token is invalid');
    });

    it('checkExp() applies the leeway', () => {
      const { sj, clock } = makeSJ({ leeway: 10 });
      const token = new sj.AccessToken();
      token.setExp('x_exp', clock.now(), 0);
      expect(() => token.checkExp('x_exp', new Date(clock.now().getTime() + 9_000))).not.to.throw();
      expect(() => token.checkExp('x_exp', new Date(clock.now().getTime() + 10_000))).to.throw(TokenError, "Token 'x_exp' claim has expired");
    });
  });

  describe('forUser', () => {
    it('adds the user id as a string', async () => {
      const { sj, users } = makeSJ();
      const token = await sj.AccessToken.forUser(users.users.get('1')!);
      expect(token.get('user_id')).to.equal('1');
      expect(token.has('hash_password')).to.equal(false);
    });

    it('uses userIdField and userIdClaim', async () => {
      const { sj } = makeSJ({ userIdField: 'username', userIdClaim: 'sub' });
      const token = await sj.RefreshToken.forUser({ id: 1, username: 'alice', password: 'x', isActive: true });
      expect(token.get('sub')).to.equal('alice');
      expect(token.has('user_id')).to.equal(false);
    });

    it('with checkRevokeToken adds hash_password: uppercase hex MD5 of the password hash', async () => {
      const { sj } = makeSJ({ checkRevokeToken: true });
      const user: TestUser = { id: 9, username: 'dora', password: 'pbkdf2_sha256$600000$salt$hash=', isActive: true };
      const token = await sj.AccessToken.forUser(user);
      const expected = createHash('md5').update(user.password).digest('hex').toUpperCase();
      expect(token.get('hash_password'))
        .to.equal(expected)
        .and.match(/^[0-9A-F]{32}$/);
    });

    it("uses the store's getPasswordHash and a custom revokeTokenClaim", async () => {
      const users = { ...memoryUsers(), getPasswordHash: (u: TestUser) => `hash:${u.username}` };
      const sj = new SimpleJWT<TestUser>({ signingKey: SECRET, users, checkRevokeToken: true, revokeTokenClaim: 'pwd' });
      const token = await sj.AccessToken.forUser(users.users.get('2')!);
      expect(token.get('pwd')).to.equal(createHash('md5').update('hash:bob').digest('hex').toUpperCase());
    });

    it('refuses a user without a usable id', async () => {
      const { sj } = makeSJ();
      let caught: unknown;
      await sj.AccessToken.forUser({ username: 'ghost' }).catch((err) => (caught = err));
      expect((caught as Error).message).to.equal("passport-simplejwt: the user has no usable 'id' (userIdField)");
    });

    it('builds an instance of the subclass it is called on', async () => {
      const { sj, users } = makeSJ();
      class MyRefresh extends sj.RefreshToken {}
      const token = await MyRefresh.forUser(users.users.get('1')!);
      expect(token).to.be.instanceOf(MyRefresh).and.instanceOf(RefreshToken);
    });
  });

  describe('apps off: the persistence seams', () => {
    it('outstand() resolves to null and records nothing, as forUser() does (SPEC 3)', async () => {
      const { sj } = makeSJ();
      for (const token of [new sj.RefreshToken(), new sj.SlidingToken(), new sj.AccessToken()]) {
        const outstanding = token.outstand();
        expect(outstanding).to.be.instanceOf(Promise);
        expect(await outstanding).to.equal(null);
      }
    });

    it('forUser(), outstand() and verify() return promises that resolve', async () => {
      const { sj, users } = makeSJ();
      const pending = sj.RefreshToken.forUser(users.users.get('1')!);
      expect(pending).to.be.instanceOf(Promise);
      const refresh = await pending;
      for (const call of [refresh.outstand(), refresh.verify(), new sj.AccessToken(String(refresh.accessToken)).verify()]) {
        expect(call).to.be.instanceOf(Promise);
        await call;
      }
    });

    it('blacklist() says the app is off; blacklistFamily() needs a family id', async () => {
      const { sj } = makeSJ();
      const token = new sj.RefreshToken();
      const errors: unknown[] = [];
      await token.blacklist().catch((err) => errors.push(err));
      await token.blacklistFamily().catch((err) => errors.push(err));
      expect((errors[0] as Error).message).to.equal('passport-simplejwt: the blacklist app is not enabled (apps: { blacklist: true })');
      expect(errors[1]).to.be.instanceOf(TokenError);
      expect((errors[1] as Error).message).to.equal('Token has no family ID');
    });

    it('getFamilyId() / getFamilyExpirationDate()', () => {
      const { sj } = makeSJ();
      const token = new sj.RefreshToken();
      expect(token.getFamilyId()).to.equal(null);
      expect(token.getFamilyExpirationDate()).to.equal(null);
      token.set('family_id', 'f'.repeat(32));
      token.set('family_exp', 2_000_000_000);
      expect(token.getFamilyId()).to.equal('f'.repeat(32));
      expect(token.getFamilyExpirationDate()!.getTime()).to.equal(2_000_000_000_000);
    });
  });

  it('a subclass of sj.AccessToken can carry its own type and rules', () => {
    const { sj } = makeSJ();
    class ServiceToken extends sj.AccessToken {
      static override tokenType: string | null = 'service';
      static override lifetime = '10m';
    }
    const token = new ServiceToken();
    expect(token.get('token_type')).to.equal('service');
    expect(new ServiceToken(String(token)).get('token_type')).to.equal('service');
    expect(() => new sj.AccessToken(String(token))).to.throw(TokenError, 'Token has wrong type');
    expect(() => new ServiceToken(String(new sj.AccessToken()))).to.throw(TokenError, 'Token has wrong type');
  });

  it('an alg none token is refused by every token class', () => {
    const { sj, clock } = makeSJ();
    const now = epoch(clock.now());
    for (const Cls of [sj.AccessToken, sj.RefreshToken, sj.SlidingToken, sj.UntypedToken]) {
      const raw = rawJwt({ alg: 'none' }, { token_type: Cls.tokenType, exp: now + 60, iat: now, jti: 'x' });
      expect(() => new Cls(raw), Cls.name).to.throw(TokenError, 'Token is invalid');
    }
  });

  it('Clock used by the fixtures is the instance clock', () => {
    const clock = new Clock();
    const sj = new SimpleJWT({ signingKey: SECRET, now: clock.now });
    expect(new sj.AccessToken().currentTime.getTime()).to.equal(clock.now().getTime());
  });
});
