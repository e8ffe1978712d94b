import { Sequelize } from 'sequelize';
import { SimpleJWT, type SimpleJWTOptions, type UserStore } from '../../lib';
import { redisCacheOptions } from './redis-blacklist-cache';

/** A user as the tests' in-memory store keeps it. */
export interface TestUser {
  id: number;
  username: string;
  password: string;
  isActive: boolean;
  lastLogin?: Date;
}

/** The secret the tests sign with: 64 bytes, long enough for every HMAC algorithm (HS512's hash) without a warning. */
export const SECRET = 'test-secret-that-is-long-enough-for-hs512-0123456789abcdef0123456';

/** A frozen clock the tests move by hand instead of sleeping. */
export class Clock {
  private current: number;

  constructor(start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
    this.current = start;
  }

  now = (): Date => new Date(this.current);

  advance(seconds: number): void {
    this.current += seconds * 1000;
  }
}

/** An in-memory user store over a map the test can change. */
export function memoryUsers(initial: TestUser[] = defaultUsers()): UserStore<TestUser> & { users: Map<string, TestUser> } {
  const users = new Map(initial.map((u) => [String(u.id), u]));
  return {
    users,
    async findById(id) {
      return users.get(id) ?? null;
    },
    async authenticate(credentials) {
      for (const user of users.values()) {
        if (user.username === credentials.username && user.password === credentials.password) return user;
      }
      return null;
    },
    async updateLastLogin(user) {
      user.lastLogin = new Date();
    },
  };
}

export function defaultUsers(): TestUser[] {
  return [
    { id: 1, username: 'alice', password: 'alice-password', isActive: true },
    { id: 2, username: 'bob', password: 'bob-password', isActive: true },
    { id: 3, username: 'carol', password: 'carol-password', isActive: false },
  ];
}

/**
 * A SimpleJWT with the test secret, an in-memory user store and a frozen
 * clock; in the Redis cache run (TEST_BLACKLIST_CACHE=redis), with its
 * blacklist cache in Redis.
 */
export function makeSJ(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
  const clock = new Clock();
  const users = memoryUsers();
  const sj = new SimpleJWT<TestUser>({ signingKey: SECRET, users, now: clock.now, ...redisCacheOptions(options), ...options });
  return { sj, clock, users };
}

/**
 * Options that turn both apps on over a fresh in-memory SQLite database, not
 * migrated: for tests of settings and mounting (settings that need an app
 * are refused without it); migrate it when requests reach storage.
 */
export function appsOnMemoryDatabase(): { sequelize: Sequelize; apps: NonNullable<SimpleJWTOptions['apps']> } {
  return { sequelize: new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false }), apps: { blacklist: true, tokenFamily: true } };
}
