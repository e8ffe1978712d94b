import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import { SimpleJWT, type SimpleJWTOptions } from '../../lib';
import { DEFAULT_LOGIN_CONCURRENCY, resolveSettings } from '../../lib/extend';
import { SECRET, memoryUsers } from '../helpers/fixtures';

function refused(options: Partial<SimpleJWTOptions>, message: string): void {
  expect(() => new SimpleJWT({ signingKey: SECRET, users: memoryUsers(), ...options })).to.throw(TypeError, `passport-simplejwt: ${message}`);
}

describe('settings: loginThrottle and loginConcurrency', () => {
  it('defaults: no throttle, two authenticate() calls at a time', () => {
    const s = resolveSettings({ signingKey: SECRET });
    expect(s.loginThrottle).to.equal(null);
    expect(s.loginConcurrency).to.equal(2).and.equal(DEFAULT_LOGIN_CONCURRENCY);
    expect(resolveSettings({ signingKey: SECRET, loginThrottle: false }).loginThrottle).to.equal(null);
  });

  it('an object takes the defaults it leaves out: 5 per username, 50 per address, 15 minutes, memory', () => {
    expect(resolveSettings({ signingKey: SECRET, loginThrottle: {} }).loginThrottle).to.deep.equal({
      failures: 5,
      window: 900,
      perAddress: 50,
      store: 'memory',
      keyPrefix: 'sjwt_login',
    });
    expect(
      resolveSettings({ signingKey: SECRET, loginThrottle: { failures: 3, window: '1h', perAddress: null, keyPrefix: 'app:x' } }).loginThrottle,
    ).to.deep.equal({ failures: 3, window: 3600, perAddress: null, store: 'memory', keyPrefix: 'app:x' });
  });

  it("store: 'memory' given explicitly is the memory store, as when left out", () => {
    expect(resolveSettings({ signingKey: SECRET, loginThrottle: { store: 'memory' } }).loginThrottle!.store).to.equal('memory');
  });

  describe('validation: one test per message', () => {
    it('refuses a loginThrottle that is not false or an object', () => {
      for (const value of [true, null, 5, 'on', []]) {
        refused({ loginThrottle: value as never }, "'loginThrottle' must be false or an object such as { failures: 5, window: '15m', perAddress: 50 }");
      }
    });

    it('refuses an unknown loginThrottle key, naming it', () => {
      refused({ loginThrottle: { failure: 5 } as never }, "unknown setting 'loginThrottle.failure' (known: failures, window, perAddress, store, keyPrefix)");
    });

    it('refuses failures and perAddress that are not positive integers', () => {
      for (const value of [0, -1, 1.5, '5', Infinity]) {
        refused({ loginThrottle: { failures: value as never } }, "'loginThrottle.failures' must be a positive integer");
        refused({ loginThrottle: { perAddress: value as never } }, "'loginThrottle.perAddress' must be a positive integer");
      }
    });

    it('refuses a window that is not a positive duration', () => {
      for (const value of [0, -5, 'soon', null]) {
        refused(
          { loginThrottle: { window: value as never } },
          "'loginThrottle.window' must be a positive number of seconds or a duration string such as '15m'",
        );
      }
    });

    it('refuses a keyPrefix with other characters', () => {
      for (const value of ['', 'a b', 'x;drop', 7]) {
        refused({ loginThrottle: { keyPrefix: value as never } }, "'loginThrottle.keyPrefix' must be letters, digits, '_', ':' or '-'");
      }
    });

    it('refuses a store that is not memory, database or { redis }', () => {
      // A client needs both eval (the counters' script) and multi: one without either is refused.
      for (const value of ['redis', {}, { redis: {} }, { redis: null }, null, { redis: { multi() {} } }, { redis: { eval() {} } }]) {
        refused(
          { loginThrottle: { store: value as never } },
          "'loginThrottle.store' must be 'memory', 'database' or { redis } with a client of the official 'redis' package",
        );
      }
    });

    it("refuses store 'database' without the sequelize setting", () => {
      refused({ loginThrottle: { store: 'database' } }, "'loginThrottle.store' 'database' needs the 'sequelize' setting");
      // By resolveSettings() too (lib/extend), which builds no throttle.
      expect(() => resolveSettings({ signingKey: SECRET, loginThrottle: { store: 'database' } })).to.throw(
        TypeError,
        "passport-simplejwt: 'loginThrottle.store' 'database' needs the 'sequelize' setting",
      );
    });

    it("refuses store 'database' on a dialect it has no counters for", () => {
      const sequelize = new Sequelize('mssql://sa@127.0.0.1:1/x', { logging: false, dialectModule: {} as never });
      refused(
        { sequelize, loginThrottle: { store: 'database' } },
        "'loginThrottle.store' 'database' works on sqlite, postgres and mysql (MariaDB through mysql2), not mssql",
      );
    });

    it('refuses a loginConcurrency that is not a positive integer', () => {
      for (const value of [0, -1, 2.5, '2', null]) refused({ loginConcurrency: value as never }, "'loginConcurrency' must be a positive integer");
    });
  });
});
