import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import express from 'express';
import passport from 'passport';
import { Sequelize } from 'sequelize';
import request from 'supertest';
import { JWTStrategy, RedisBlacklistCache, ServiceUnavailable, TokenError, errorHandler, type RedisClientLike, type SimpleJWTOptions } from '../../../lib';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS } from '../../../lib/extend';
import { useTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeSJ, type TestUser } from '../../helpers/fixtures';
import {
  REDIS_URL,
  RedisRelay,
  closedPort,
  connectedClient,
  rejectionOf,
  requireRedis,
  uniquePrefix,
  whenReady,
  type TestRedisClient,
} from '../../helpers/redis';

/** Loose bound for "rejects quickly": well under the client's own 5 s command timeout. */
const QUICK_MS = 1500;

/** The blacklist paths of SimpleJWT with the cache on and the apps' storage never reached on a cache hit. */
function cachedSJ(cache: RedisBlacklistCache, options: Partial<SimpleJWTOptions<TestUser>> = {}) {
  return makeSJ({
    sequelize: new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false }),
    apps: { blacklist: true, tokenFamily: true },
    tokenFamilyEnabled: true,
    cache,
    cacheBlacklistedRefreshTokens: true,
    cacheBlacklistedFamilies: true,
    ...options,
  });
}

describe('RedisBlacklistCache', function () {
  const clients: Array<{ readonly isOpen: boolean; destroy(): void }> = [];
  let redis: TestRedisClient;
  let prefix: string;

  before(async function () {
    await requireRedis(this);
    redis = await connectedClient();
    clients.push(redis);
  });

  beforeEach(function () {
    prefix = uniquePrefix();
  });

  afterEach(async function () {
    if (redis?.isReady) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(keys);
    }
  });

  after(function () {
    for (const c of clients) if (c.isOpen) c.destroy();
  });

  async function client(url = REDIS_URL, options: Parameters<typeof connectedClient>[1] = {}) {
    const c = await connectedClient(url, options);
    clients.push(c);
    return c;
  }

  describe('construction', function () {
    it('accepts the redis client as it is (no cast)', function () {
      const cache = new RedisBlacklistCache(redis);
      expect(cache.keyPrefix).to.equal('');
      expect(cache.commandTimeoutMs).to.equal(DEFAULT_REDIS_COMMAND_TIMEOUT_MS);
    });

    it('refuses something that is not a client', function () {
      expect(() => new RedisBlacklistCache({} as RedisClientLike)).to.throw(TypeError, /passport-simplejwt: RedisBlacklistCache needs a Redis client/);
      expect(() => new RedisBlacklistCache(null as unknown as RedisClientLike)).to.throw(TypeError, /needs a Redis client/);
    });

    it('refuses a keyPrefix that is not a string', function () {
      expect(() => new RedisBlacklistCache(redis, { keyPrefix: 1 as unknown as string })).to.throw(TypeError, /'keyPrefix' must be a string/);
    });

    it('refuses a commandTimeoutMs that is not a positive number', function () {
      for (const bad of [0, -1, Number.NaN, Infinity, '100']) {
        expect(() => new RedisBlacklistCache(redis, { commandTimeoutMs: bad as number })).to.throw(TypeError, /'commandTimeoutMs' must be a positive number/);
      }
    });
  });

  describe('set / has / delete', function () {
    it('has() is false for a key never set', async function () {
      expect(await new RedisBlacklistCache(redis, { keyPrefix: prefix }).has('nothing')).to.equal(false);
    });

    it('set() then has() is true, delete() then has() is false', async function () {
      const cache = new RedisBlacklistCache(redis, { keyPrefix: prefix });
      await cache.set('sjwt_brt:abc', 60);
      expect(await cache.has('sjwt_brt:abc')).to.equal(true);
      expect(await cache.has('sjwt_brt:abd')).to.equal(false);
      await cache.delete('sjwt_brt:abc');
      expect(await cache.has('sjwt_brt:abc')).to.equal(false);
    });

    it('delete() of a missing key resolves, creates nothing and leaves the other keys as they were', async function () {
      const cache = new RedisBlacklistCache(redis, { keyPrefix: prefix });
      await cache.set('kept', 60);
      expect(await cache.delete('never-set')).to.equal(undefined);
      expect(await redis.exists(`${prefix}never-set`)).to.equal(0);
      expect(await cache.has('kept')).to.equal(true);
    });

    it('stores under keyPrefix + key, so prefixes are separate namespaces', async function () {
      const a = new RedisBlacklistCache(redis, { keyPrefix: `${prefix}a:` });
      const b = new RedisBlacklistCache(redis, { keyPrefix: `${prefix}b:` });
      await a.set('k', 60);
      expect(await redis.exists(`${prefix}a:k`)).to.equal(1);
      expect(await a.has('k')).to.equal(true);
      expect(await b.has('k')).to.equal(false);
    });
  });

  describe('ttl', function () {
    it('sets the TTL in whole seconds with EX', async function () {
      const cache = new RedisBlacklistCache(redis, { keyPrefix: prefix });
      await cache.set('hour', 3600);
      expect(await redis.ttl(`${prefix}hour`)).to.be.within(3599, 3600);
    });

    it('rounds a fractional TTL up and never below 1 s', async function () {
      const cache = new RedisBlacklistCache(redis, { keyPrefix: prefix });
      await cache.set('frac', 1.2);
      await cache.set('tiny', 0.01);
      await cache.set('zero', 0);
      expect(await redis.pTTL(`${prefix}frac`)).to.be.within(1001, 2000);
      for (const k of ['tiny', 'zero']) expect(await redis.pTTL(`${prefix}${k}`)).to.be.within(1, 1000);
    });

    it('refuses a TTL that is not a number', async function () {
      const cache = new RedisBlacklistCache(redis, { keyPrefix: prefix });
      const { error } = await rejectionOf(cache.set('k', Number.NaN));
      expect(error).to.be.instanceOf(TypeError);
    });

    it('a 1 s entry expires: has() is false once Redis drops it', async function () {
      const cache = new RedisBlacklistCache(redis, { keyPrefix: prefix });
      await cache.set('short', 1);
      const pttl = await redis.pTTL(`${prefix}short`);
      expect(pttl).to.be.within(1, 1000);
      expect(await cache.has('short')).to.equal(true);
      // Fast-forward the remaining second instead of sleeping it: Redis expires the key itself.
      await redis.pExpire(`${prefix}short`, 1);
      const deadline = Date.now() + 1000;
      while ((await cache.has('short')) && Date.now() < deadline) await new Promise((r) => setImmediate(r));
      expect(await cache.has('short')).to.equal(false);
    });
  });

  describe('shared between processes', function () {
    it('a blacklist cached through one instance is refused by another at once', async function () {
      const one = cachedSJ(new RedisBlacklistCache(await client(), { keyPrefix: prefix })).sj;
      const two = cachedSJ(new RedisBlacklistCache(await client(), { keyPrefix: prefix })).sj;
      const refresh = new one.RefreshToken();
      const encoded = refresh.toString();

      await one.cache.set(`sjwt_brt:${refresh.jti()}`, 60);
      // No delay, and never reaching the database: the other instance's cache says "blacklisted".
      expect(await two.revocation.isBlacklisted(refresh.jti())).to.equal(true);
      const decoded = new two.RefreshToken(encoded);
      const { error } = await rejectionOf(decoded.verify());
      expect(error).to.be.instanceOf(TokenError);
      expect((error as Error).message).to.equal('Token is blacklisted');
    });

    it('a family cached as blacklisted through one instance is refused by another', async function () {
      const one = cachedSJ(new RedisBlacklistCache(await client(), { keyPrefix: prefix })).sj;
      const two = cachedSJ(new RedisBlacklistCache(await client(), { keyPrefix: prefix })).sj;
      await one.cache.set('sjwt_btf:fam-1', 60);
      expect(await two.revocation.isFamilyBlacklisted('fam-1')).to.equal(true);
    });

    it('a key set by another Node process is seen here', async function () {
      const root = path.resolve(__dirname, '../../..');
      const jti = 'f'.repeat(32);
      const script = `
        const { createClient } = require('redis');
        const { RedisBlacklistCache } = require(${JSON.stringify(path.join(root, 'lib/storage/redis-cache.ts'))});
        (async () => {
          const c = createClient({ url: process.env.URL }); c.on('error', () => {});
          await c.connect();
          await new RedisBlacklistCache(c, { keyPrefix: process.env.PREFIX }).set('sjwt_brt:' + process.env.JTI, 60);
          c.destroy();
        })().catch((e) => { console.error(e); process.exit(1); });`;
      await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
        cwd: root,
        env: { ...process.env, URL: REDIS_URL, PREFIX: prefix, JTI: jti },
        timeout: 15_000,
      });
      const here = cachedSJ(new RedisBlacklistCache(redis, { keyPrefix: prefix })).sj;
      expect(await here.revocation.isBlacklisted(jti)).to.equal(true);
    });
  });

  describe('with the blacklist database: two SimpleJWT instances ("processes") on one database and one Redis', function () {
    const openDatabase = useTestDatabase();
    let db: TestDatabase;

    beforeEach(async function () {
      db = await openDatabase();
    });

    async function pair(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
      const make = async () => cachedSJ(new RedisBlacklistCache(await client(), { keyPrefix: prefix }), { sequelize: db.sequelize, ...options });
      return [await make(), await make()] as const;
    }

    it('blacklist() through one writes the cache entry, and the other refuses the token', async function () {
      const [one, two] = await pair();
      const refresh = await one.sj.RefreshToken.forUser(one.users.users.get('1'));
      await new two.sj.RefreshToken(refresh.toString()).verify(); // not blacklisted yet

      await refresh.blacklist();
      expect(await redis.ttl(`${prefix}sjwt_brt:${refresh.jti()}`)).to.be.within(3599, 3600);
      const { error } = await rejectionOf(new two.sj.RefreshToken(refresh.toString()).verify());
      expect((error as Error).message).to.equal('Token is blacklisted');
    });

    it('only positive entries: a token found not blacklisted leaves no key; one found blacklisted in the database is cached', async function () {
      const [one] = await pair();
      const uncached = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true, tokenFamily: true } }).sj; // same database, no cache
      const refresh = await one.sj.RefreshToken.forUser(one.users.users.get('1'));
      const key = `${prefix}sjwt_brt:${refresh.jti()}`;

      expect(await one.sj.revocation.isBlacklisted(refresh.jti())).to.equal(false);
      expect(await redis.exists(key)).to.equal(0);

      await new uncached.RefreshToken(refresh.toString()).blacklist();
      expect(await redis.exists(key)).to.equal(0);
      expect(await one.sj.revocation.isBlacklisted(refresh.jti())).to.equal(true);
      expect(await redis.exists(key)).to.equal(1);
    });

    it('a family blacklisted through one is refused by the other', async function () {
      const [one, two] = await pair();
      const refresh = await one.sj.RefreshToken.forUser(one.users.users.get('1'));
      await refresh.blacklistFamily();
      const familyId = refresh.getFamilyId();
      expect(familyId).to.be.a('string');
      expect(await redis.exists(`${prefix}sjwt_btf:${familyId}`)).to.equal(1);
      const { error } = await rejectionOf(new two.sj.RefreshToken(refresh.toString()).verify());
      expect((error as Error).message).to.equal('Token family is blacklisted');
    });

    it('Redis down: the blacklist check answers ServiceUnavailable although the database is fine', async function () {
      const relay = new RedisRelay();
      await relay.start();
      try {
        const { sj, users } = cachedSJ(new RedisBlacklistCache(await client(relay.url), { keyPrefix: prefix }), { sequelize: db.sequelize });
        const refresh = await sj.RefreshToken.forUser(users.users.get('1'));
        await new sj.RefreshToken(refresh.toString()).verify();
        await relay.stop();
        const { error, ms } = await rejectionOf(new sj.RefreshToken(refresh.toString()).verify());
        expect(error).to.be.instanceOf(ServiceUnavailable);
        expect(ms).to.be.below(QUICK_MS);
      } finally {
        await relay.stop();
      }
    });

    it('through the strategy: 200, then 503 JSON while Redis is down, then 200 again by itself', async function () {
      const relay = new RedisRelay();
      await relay.start();
      try {
        const c = await client(relay.url, { disableOfflineQueue: true });
        const { sj, users } = cachedSJ(new RedisBlacklistCache(c, { keyPrefix: prefix }), { sequelize: db.sequelize, tokenFamilyCheckOnAccess: true });
        const auth = new passport.Passport();
        auth.use(new JWTStrategy(sj));
        const app = express();
        app.get('/me', auth.authenticate('passport-simplejwt', { session: false }), (req, res) => {
          res.json({ id: (req.user as TestUser).id });
        });
        app.use(errorHandler());
        const refresh = await sj.RefreshToken.forUser(users.users.get('1'));
        const header = `Bearer ${refresh.accessToken.toString()}`;

        await request(app).get('/me').set('Authorization', header).expect(200, { id: 1 });
        await relay.stop();
        const down = await request(app).get('/me').set('Authorization', header);
        expect(down.status).to.equal(503);
        expect(down.body.code).to.equal('service_unavailable');
        await relay.start();
        await whenReady(c);
        await request(app).get('/me').set('Authorization', header).expect(200, { id: 1 });
      } finally {
        await relay.stop();
      }
    });
  });

  describe('Redis down or unreachable: rejects quickly (fail closed)', function () {
    // The SimpleJWTs here have a healthy, migrated database: only the cache can answer 503.
    const openDatabase = useTestDatabase();

    it('a client pointed at a closed port', async function () {
      const port = await closedPort();
      const dead = (await import('redis')).createClient({ url: `redis://127.0.0.1:${port}` });
      dead.on('error', () => {});
      clients.push(dead);
      dead.connect().catch(() => {}); // the app's connect(): it keeps retrying
      const cache = new RedisBlacklistCache(dead);
      for (const op of [cache.has('k'), cache.set('k', 60), cache.delete('k')]) {
        const { error, ms } = await rejectionOf(op);
        expect((error as Error).message).to.match(/^passport-simplejwt: Redis (EXISTS|SET|DEL) refused: the client is not ready/);
        expect(ms).to.be.below(QUICK_MS);
      }
    });

    it('a client that was disconnected', async function () {
      const c = await client();
      c.destroy();
      const { error, ms } = await rejectionOf(new RedisBlacklistCache(c).has('k'));
      expect((error as Error).message).to.match(/not ready/);
      expect(ms).to.be.below(QUICK_MS);
    });

    it('a client with no isReady whose client library answers with an error', async function () {
      const c = await client();
      c.destroy();
      // Only the three commands: the rejection of the library itself is passed on, with its cause.
      const bare: RedisClientLike = { set: (k, v, o) => c.set(k, v, o), exists: (k) => c.exists(k), del: (k) => c.del(k) };
      const { error, ms } = await rejectionOf(new RedisBlacklistCache(bare).has('k'));
      expect((error as Error).message).to.match(/^passport-simplejwt: Redis EXISTS failed: The client is closed/);
      expect((error as Error).cause).to.be.instanceOf(Error);
      expect(ms).to.be.below(QUICK_MS);
    });

    it('a server that stops answering mid-connection: the command times out at commandTimeoutMs', async function () {
      const relay = new RedisRelay();
      await relay.start();
      try {
        const c = await client(relay.url);
        const cache = new RedisBlacklistCache(c, { keyPrefix: prefix, commandTimeoutMs: 200 });
        await cache.set('k', 60);
        expect(await cache.has('k')).to.equal(true);
        relay.pause();
        expect(c.isReady).to.equal(true); // the client does not know yet: only the timeout can help
        const { error, ms } = await rejectionOf(cache.has('k'));
        expect((error as Error).message).to.equal('passport-simplejwt: Redis EXISTS timed out after 200 ms');
        expect(ms).to.be.within(150, QUICK_MS);
      } finally {
        await relay.stop();
      }
    });

    it('through SimpleJWT: isBlacklisted, blacklist checks in verify() and isFamilyBlacklisted answer ServiceUnavailable', async function () {
      const port = await closedPort();
      const dead = (await import('redis')).createClient({ url: `redis://127.0.0.1:${port}` });
      dead.on('error', () => {});
      clients.push(dead);
      dead.connect().catch(() => {});
      const db = await openDatabase();
      const { sj } = cachedSJ(new RedisBlacklistCache(dead), { sequelize: db.sequelize });
      const refresh = new sj.RefreshToken();
      const healthy = cachedSJ(new RedisBlacklistCache(redis, { keyPrefix: prefix }), { sequelize: db.sequelize }).sj;
      expect(await healthy.revocation.isBlacklisted(refresh.jti())).to.equal(false); // the database answers
      for (const op of [
        sj.revocation.isBlacklisted(refresh.jti()),
        new sj.RefreshToken(refresh.toString()).verify(),
        sj.revocation.isFamilyBlacklisted('fam'),
      ]) {
        const { error, ms } = await rejectionOf(op);
        expect(error).to.be.instanceOf(ServiceUnavailable);
        expect((error as ServiceUnavailable).status).to.equal(503);
        expect((error as ServiceUnavailable).code).to.equal('service_unavailable');
        expect(ms).to.be.below(QUICK_MS);
      }
    });

    it('through the strategy: a request answers 503 JSON while Redis is down, and the blacklist applies again once it is back', async function () {
      const relay = new RedisRelay();
      await relay.start();
      try {
        const c = await client(relay.url, { disableOfflineQueue: true });
        const db = await openDatabase();
        const { sj } = cachedSJ(new RedisBlacklistCache(c, { keyPrefix: prefix }), { sequelize: db.sequelize, tokenFamilyCheckOnAccess: true });
        const strategy = new JWTStrategy(sj, { name: `redis-test-${prefix}` });
        const auth = new passport.Passport();
        auth.use(strategy);
        const app = express();
        app.get('/me', auth.authenticate(strategy.name, { session: false }), (req, res) => {
          res.json({ id: (req.user as TestUser).id });
        });
        app.use(errorHandler());
        const access = new sj.AccessToken();
        access.set('user_id', '1');
        access.set('family_id', 'fam-live');
        const header = `Bearer ${access.toString()}`;

        // A cache hit decides without the database (models/ is not reached): the family is refused.
        await sj.cache.set('sjwt_btf:fam-live', 60);
        const before = await request(app).get('/me').set('Authorization', header);
        expect(before.status).to.equal(401);
        expect(before.body.code).to.equal('token_not_valid');

        await relay.stop(); // Redis "goes down"
        const started = performance.now();
        const down = await request(app).get('/me').set('Authorization', header);
        expect(down.status).to.equal(503);
        expect(down.body.code).to.equal('service_unavailable');
        expect(down.body).to.have.property('detail').that.is.a('string');
        expect(performance.now() - started).to.be.below(QUICK_MS);

        await relay.start(); // same port: the client's reconnect strategy finds it again
        await whenReady(c);
        const after = await request(app).get('/me').set('Authorization', header);
        expect(after.status).to.equal(401); // the blacklist is honoured again, not a 503, not a pass
        expect(after.body.code).to.equal('token_not_valid');
      } finally {
        await relay.stop();
      }
    });
  });
});
