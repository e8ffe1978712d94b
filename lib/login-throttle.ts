import { createHash } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import {
  RateLimiterMemory,
  RateLimiterMySQL,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  RateLimiterSQLite,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { Throttled } from './errors';
import { asPackageError, OutageError } from './fail-closed';
import type { ResolvedLoginThrottle } from './settings';

/** The table of the failed-login counters with `store: 'database'` (created on first use). */
export const LOGIN_THROTTLE_TABLE = 'passport_simplejwt_login_throttle';

/**
 * The login tarpit: how long a login from an address already known blocked
 * is held before its 429 (the wait is cut to what is left of the block), so
 * that a flooding client's rate falls to about one request a second per
 * connection. Not a setting (SPEC 2.1 names none).
 */
export const LOGIN_TARPIT_DELAY_MS = 1000;
/**
 * At most this many refusals are held in the tarpit at once (their sockets
 * and timers); beyond it, a refusal is answered at once, as without the tarpit.
 */
export const LOGIN_TARPIT_MAX_HELD = 256;
/**
 * At most this many blocked addresses are remembered for the early refusal;
 * beyond it the expired ones go, then the oldest (an address forgotten is
 * refused as before, after its body is read, by the counters themselves).
 */
export const LOGIN_BLOCKED_ADDRESSES_MAX = 10_000;

/** The tarpit's bounds: {@link LOGIN_TARPIT_DELAY_MS} and {@link LOGIN_TARPIT_MAX_HELD} unless changed (tests shorten the delay). */
export interface LoginTarpit {
  /** Milliseconds a refusal is held; 0: answered at once. */
  delayMs: number;
  /** Refusals held at once; beyond it, answered at once. */
  maxHeld: number;
}

/** One login being tried: counted as a failure unless `succeeded()` is called. */
export interface LoginAttempt {
  /** The credentials were right: the attempt no longer counts against the username and the address. */
  succeeded(): Promise<void>;
}

const NOT_THROTTLED: LoginAttempt = { succeeded: () => Promise.resolve() };

interface Limiters {
  perUsername: RateLimiterAbstract;
  perAddress: RateLimiterAbstract | null;
}

/** Limiter options of one counter: `points` failures in `duration` seconds under `keyPrefix`. */
interface CounterOptions {
  keyPrefix: string;
  points: number;
  duration: number;
  /** Store counters: over this many, the key is blocked in this process until its window ends. */
  inMemoryBlockOnConsumed?: number;
}

/** Builds one counter in the configured store; resolves once its table exists. */
type CounterFactory = (options: CounterOptions) => Promise<RateLimiterAbstract>;

/** Resolves with the limiter once rate-limiter-flexible reports its table created (or rejects). */
function whenReady(make: (ready: (err?: unknown) => void) => RateLimiterAbstract): Promise<RateLimiterAbstract> {
  return new Promise((resolve, reject) => {
    const limiter = make((err) => queueMicrotask(() => (err ? reject(err) : resolve(limiter))));
  });
}

/** The counters of `store: 'database'`, in the dialect of the `sequelize` setting. */
function databaseCounters(sequelize: Sequelize): CounterFactory {
  const dialect = sequelize.getDialect();
  const tableName = LOGIN_THROTTLE_TABLE;
  if (dialect === 'postgres') {
    return (o) =>
      whenReady((ready) => new RateLimiterPostgres({ ...o, storeClient: sequelize, storeType: 'sequelize', tableName, clearExpiredByTimeout: true }, ready));
  }
  if (dialect === 'mysql') {
    const dbName = sequelize.config.database;
    return (o) =>
      whenReady(
        (ready) => new RateLimiterMySQL({ ...o, storeClient: sequelize, storeType: 'sequelize', dbName, tableName, clearExpiredByTimeout: true }, ready),
      );
  }
  if (dialect === 'sqlite') {
    // node-sqlite3's Database behind Sequelize's default connection (the one its non-transaction queries use).
    const manager = sequelize.connectionManager as unknown as { getConnection(options: object): Promise<object> };
    return async (o) => {
      const storeClient = await manager.getConnection({});
      return whenReady((ready) => new RateLimiterSQLite({ ...o, storeClient, storeType: 'sqlite3', tableName, clearExpiredByTimeout: true }, ready));
    };
  }
  throw new TypeError(`passport-simplejwt: 'loginThrottle.store' 'database' works on sqlite, postgres and mysql (MariaDB through mysql2), not ${dialect}`);
}

/**
 * A store's counters also remember in this process a key over its limit
 * until its window ends: a flood at a throttled username or address is
 * answered 429 without a query (rate-limiter-flexible's in-memory block).
 */
function blockedInMemory(counters: CounterFactory): CounterFactory {
  return (o) => counters({ ...o, inMemoryBlockOnConsumed: o.points + 1 });
}

function countersIn(settings: ResolvedLoginThrottle, sequelize: Sequelize | undefined): CounterFactory {
  const { store } = settings;
  if (store === 'memory') return async (o) => new RateLimiterMemory(o);
  if (store === 'database') return blockedInMemory(databaseCounters(sequelize as Sequelize));
  // Fail at once while Redis is down or reconnecting, rather than queue logins behind it.
  return blockedInMemory(async (o) => new RateLimiterRedis({ ...o, storeClient: store.redis, useRedisPackage: true, rejectIfRedisNotReady: true }));
}

/** A username as a counter key: fixed length, no control characters, whatever was typed. */
function usernameKey(username: string): string {
  return createHash('sha256').update(username).digest('hex').slice(0, 40);
}

/** Seconds a throttled client must wait: whole seconds, at least 1 (the `Retry-After` header). */
function waitSeconds(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}

/**
 * The addresses this process has seen refused by their counter, each until
 * its window ends (on the counters' clock, `Date.now()`); at most
 * {@link LOGIN_BLOCKED_ADDRESSES_MAX} of them.
 */
class BlockedAddresses {
  private readonly until = new Map<string, number>();

  add(address: string, msBeforeNext: number): void {
    const { until } = this;
    until.delete(address);
    if (until.size >= LOGIN_BLOCKED_ADDRESSES_MAX) {
      const now = Date.now();
      for (const [key, end] of until) if (end <= now) until.delete(key);
      if (until.size >= LOGIN_BLOCKED_ADDRESSES_MAX) until.delete(until.keys().next().value as string);
    }
    until.set(address, Date.now() + msBeforeNext);
  }

  /** Milliseconds `address` stays blocked; 0: not known blocked. */
  msBefore(address: string): number {
    const end = this.until.get(address);
    if (end === undefined) return 0;
    const left = end - Date.now();
    if (left > 0) return left;
    this.until.delete(address);
    return 0;
  }
}

/**
 * `loginThrottle` (SPEC 8): counts failed logins per username and per client
 * address in rate-limiter-flexible counters (memory, Redis or the database),
 * fixed windows of `window` seconds. An attempt is counted before the
 * password is checked, so concurrent guesses cannot slip past the limit, and
 * given back when the credentials are right.
 */
export class LoginThrottle {
  private readonly settings: ResolvedLoginThrottle;
  private readonly counters: CounterFactory;
  /** Built on first use (the database tables are created then); retried after a failure. */
  private limiters?: Promise<Limiters>;
  private readonly blocked = new BlockedAddresses();
  /** Refusals in the tarpit now. */
  private held = 0;
  /** The tarpit's bounds (see {@link LoginTarpit}). */
  readonly tarpit: LoginTarpit = { delayMs: LOGIN_TARPIT_DELAY_MS, maxHeld: LOGIN_TARPIT_MAX_HELD };

  constructor(settings: ResolvedLoginThrottle, sequelize?: Sequelize) {
    this.settings = settings;
    this.counters = countersIn(settings, sequelize);
  }

  private ready(): Promise<Limiters> {
    if (!this.limiters) {
      const { failures, perAddress, window, keyPrefix } = this.settings;
      const building = Promise.all([
        this.counters({ keyPrefix: `${keyPrefix}:user`, points: failures, duration: window }),
        perAddress === null ? null : this.counters({ keyPrefix: `${keyPrefix}:addr`, points: perAddress, duration: window }),
      ]).then(([perUsername, perAddressLimiter]) => ({ perUsername, perAddress: perAddressLimiter }));
      building.catch(() => {
        if (this.limiters === building) this.limiters = undefined;
      });
      this.limiters = building;
    }
    return this.limiters;
  }

  /**
   * Counts a login attempt for `username` from `address` (`req.ip`; none: no
   * per-address count). Throws `Throttled` (429) when either is over its
   * limit, `ServiceUnavailable` (503) when the store fails.
   */
  async begin(username: string, address: string | undefined): Promise<LoginAttempt> {
    const userKey = usernameKey(username);
    try {
      const { perUsername, perAddress } = await this.ready();
      // The address first: a throttled address spends none of its victims' attempts.
      const counted: Array<[RateLimiterAbstract, string]> = [];
      if (perAddress && address) {
        await perAddress.consume(address).catch((err: unknown) => {
          // Over its limit: refused early (before its body is read) until its window ends.
          if (err instanceof RateLimiterRes) this.blocked.add(address, err.msBeforeNext);
          throw err;
        });
        counted.push([perAddress, address]);
      }
      await perUsername.consume(userKey);
      counted.push([perUsername, userKey]);
      return {
        succeeded: async () => {
          try {
            await Promise.all(counted.map(([limiter, key]) => limiter.reward(key)));
          } catch (err) {
            throw this.storeFailure(err);
          }
        },
      };
    } catch (err) {
      if (err instanceof RateLimiterRes) throw new Throttled(waitSeconds(err.msBeforeNext));
      throw this.storeFailure(err);
    }
  }

  /**
   * The early refusal of the login views, run before the body is read: a
   * login from an address this process has already seen refused by its
   * counter (over `perAddress` in this window) rejects with `Throttled` (429,
   * `Retry-After` the rest of the window) without touching the store; any
   * other address (or none) gets undefined and goes on to `begin()`, which
   * reads the per-username count. The rejection is held in the tarpit
   * ({@link LoginTarpit}) while fewer than `maxHeld` are, else at once.
   *
   * @example
   * const refused = sj.loginThrottle?.refuseBlockedAddress(req.ip);
   * if (refused) await refused; // rejects with Throttled
   */
  refuseBlockedAddress(address: string | undefined): Promise<never> | undefined {
    if (!address) return undefined;
    const left = this.blocked.msBefore(address);
    if (left === 0) return undefined;
    const { delayMs, maxHeld } = this.tarpit;
    const refusal = () => new Throttled(waitSeconds(this.blocked.msBefore(address)));
    if (delayMs <= 0 || this.held >= maxHeld) return Promise.reject(refusal());
    this.held++;
    return new Promise<never>((_resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.held--;
          reject(refusal());
        },
        Math.min(delayMs, left),
      );
      // A held refusal never keeps the process alive.
      timer.unref();
    });
  }

  /**
   * A failing store as the package's error. The Redis client's rejections
   * (not ready, closed, timed out) carry no code failClosed() knows: they are
   * the Redis outage, as in RedisBlacklistCache; a database store's errors are
   * classified like any database error.
   */
  private storeFailure(err: unknown): Error {
    const redis = typeof this.settings.store === 'object';
    return asPackageError(redis ? new OutageError('passport-simplejwt: the loginThrottle Redis store did not answer', { cause: err }) : err);
  }
}

/** The attempt of an instance without `loginThrottle`: nothing counted. */
export function unthrottledAttempt(): LoginAttempt {
  return NOT_THROTTLED;
}
