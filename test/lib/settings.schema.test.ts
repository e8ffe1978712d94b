import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  SimpleJWT,
  TokenBlacklistSerializer,
  TokenFamilyBlacklistSerializer,
  TokenObtainPairSerializer,
  TokenObtainSlidingSerializer,
  TokenRefreshSerializer,
  TokenRefreshSlidingSerializer,
  TokenVerifySerializer,
} from '../../lib';
import { resolveSettings } from '../../lib/extend';
import { SECRET, memoryUsers } from '../helpers/fixtures';
import { build, refused } from '../helpers/settings';
import { KNOWN_SETTINGS } from '../../lib/settings/schema';

/** The setting names of the settings table in docs/settings.md (the first cell of each row). */
function readmeSettingNames(): string[] {
  const readme = readFileSync(join(__dirname, '../../docs/settings.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| setting | default | Simple JWT |'));
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
  return rows.flatMap((row) => [...row.split('|')[1].matchAll(/`(\w+)`/g)].map((match) => match[1]));
}

const SERIALIZER_SETTINGS = {
  tokenObtainSerializer: TokenObtainPairSerializer,
  tokenObtainPairSerializer: TokenObtainPairSerializer,
  tokenObtainSlidingSerializer: TokenObtainSlidingSerializer,
  tokenRefreshSerializer: TokenRefreshSerializer,
  tokenRefreshSlidingSerializer: TokenRefreshSlidingSerializer,
  tokenVerifySerializer: TokenVerifySerializer,
  tokenBlacklistSerializer: TokenBlacklistSerializer,
  tokenFamilyBlacklistSerializer: TokenFamilyBlacklistSerializer,
} as const;

describe('settings: one table, checked in the constructor', () => {
  describe('the known names come from the table', () => {
    it('accepts every setting of the table in docs/settings.md', () => {
      const names = readmeSettingNames();
      expect(names).to.include.members(['signingKey', 'leeway', 'now']);
      for (const name of names) expect(() => resolveSettings({ signingKey: SECRET, [name]: undefined }), name).not.to.throw();
    });

    it('the table in docs/settings.md lists every setting (the serializer settings as one row)', () => {
      const documented = new Set(readmeSettingNames());
      const missing = [...KNOWN_SETTINGS].filter((name) => !documented.has(name) && !(name in SERIALIZER_SETTINGS));
      expect(missing).to.deep.equal([]);
    });
  });

  describe('serializer settings are refused when the instance is built, not when a router is', () => {
    for (const [name, Serializer] of Object.entries(SERIALIZER_SETTINGS)) {
      it(`refuses a '${name}' that is not a serializer class`, () => {
        const message = `'${name}' must be a serializer class (a class with validate())`;
        // Simple JWT's import string, a plain object, a function, a class without validate().
        for (const value of ['myapp.serializers.Custom', {}, () => ({}), class NoValidate {}]) refused({ [name]: value }, message);
      });

      it(`accepts a serializer class or null for '${name}'`, () => {
        class Custom extends Serializer {}
        expect(build({ [name]: Custom, users: memoryUsers() }).options).to.have.property(name, Custom);
        expect(() => build({ [name]: null })).not.to.throw();
      });
    }
  });

  describe('objects of the app used as given', () => {
    it("refuses a null 'users', 'cache' or 'logger', naming it", () => {
      refused({ users: null }, "'users' must be a UserStore with findById() and authenticate()");
      refused({ cache: null }, "'cache' must have has(), set() and delete()");
      refused({ logger: null }, "'logger' must be an object with error() and warn() (console, pino, winston…)");
    });

    it("refuses a 'tokenUserClass' that is not a class", () => {
      refused({ tokenUserClass: 'myapp.models.TokenUser' }, "'tokenUserClass' must be a function");
    });
  });

  describe('rules between settings', () => {
    it("refuses a 'sequelize' of null even with no app on", () => {
      refused({ sequelize: null }, "'sequelize' must be a Sequelize instance");
    });

    it("refuses a plain http:// 'jwkUrl' to another host, naming it", () => {
      refused(
        { algorithm: 'RS256', jwkUrl: 'http://keys.example/jwks.json' },
        "'jwkUrl' must use https:// (plain http:// is accepted only for localhost and 127.0.0.1): http://keys.example/jwks.json",
      );
    });

    it('checks the algorithm of a jwkUrl before its scheme', () => {
      refused({ jwkUrl: 'http://keys.example/jwks.json' }, "'jwkUrl' needs an asymmetric 'algorithm' (RS*, ES* or PS*), not HS256");
    });
  });

  describe('resolved settings', () => {
    it('give every instance its own copy of a default list or object', () => {
      const a = resolveSettings({ signingKey: SECRET });
      const b = resolveSettings({ signingKey: SECRET });
      expect(a.apps).to.deep.equal(b.apps);
      expect(a.apps).not.to.equal(b.apps);
      expect(a.authHeaderTypes).not.to.equal(b.authHeaderTypes);
      a.authHeaderTypes.push('JWT');
      expect(resolveSettings({ signingKey: SECRET }).authHeaderTypes).to.deep.equal(['Bearer']);
    });

    it('take null as the default where the settings always did (algorithm, apps, authHeaderTypes)', () => {
      const s = resolveSettings({ signingKey: SECRET, algorithm: null, apps: null, authHeaderTypes: null });
      expect(s.algorithm).to.equal('HS256');
      expect(s.apps).to.deep.equal({ blacklist: false, tokenFamily: false });
      expect(s.authHeaderTypes).to.deep.equal(['Bearer']);
    });

    it('hold only parsed values: the keys, stores, hooks and classes stay on the options', () => {
      const users = memoryUsers();
      const sj = new SimpleJWT({ signingKey: SECRET, users });
      for (const name of [
        'signingKey',
        'verifyingKey',
        'users',
        'sequelize',
        'cache',
        'logger',
        'now',
        'tokenUserClass',
        'authTokenClasses',
        'tokenObtainPairSerializer',
      ]) {
        expect(sj.settings).not.to.have.property(name);
      }
      expect(sj.options.users).to.equal(users);
    });
  });
});
