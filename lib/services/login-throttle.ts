import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { Throttled } from '../errors';
import { asPackageError, OutageError } from '../storage/fail-closed';
import type { ResolvedLoginThrottle } from '../settings';
import type { FailureCounter, FailureCounterOptions } from '../storage';

/** The table of the failed-login counters with `store: 'database'` (created on first use, outside the migrations). */
export const LOGIN_THROTTLE_TABLE = 'passport_simplejwt_login_throttle';

/**
 * The login tarpit: how long a login from an address already known blocked
 * is held before its 429 (the wait is cut to what is left of the block), so
 * that a flooding client's rate falls to about one request a second per
 * connection. Not a setting (the settings table of docs/settings.md names none).
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

/**
 * The counters of one throttle: per client address (`perAddress`), per
 * account from one address (`failures`), and per account from anywhere
 * (the ceiling, {@link accountCeiling}).
 */
interface Counters {
  perAddress: FailureCounter | null;
  perAccountAddress: FailureCounter;
  perAccount: FailureCounter;
}

/** Options of one counter, without the store's timeout. */
type CounterOptions = Omit<FailureCounterOptions, 'timeoutMs'>;

/** Builds one counter in the configured store. */
type CounterFactory = (options: CounterOptions) => FailureCounter;

/** Builds a database store's counter (the storage installed by the package entry provides it). */
export type DatabaseCounterFactory = (options: FailureCounterOptions) => FailureCounter;

/**
 * The failures one account may have in a window from all addresses
 * together: twice the larger of `failures` and `perAddress`, so that no one
 * address (stopped at `perAddress` in all, and at `failures` for one account)
 * can reach it, and a flood from one address never locks the account out
 * from the others (OWASP's advice on lockout). Without `perAddress`, twice
 * `failures`.
 */
export function accountCeiling(settings: Pick<ResolvedLoginThrottle, 'failures' | 'perAddress'>): number {
  return 2 * Math.max(settings.failures, settings.perAddress ?? settings.failures);
}

/**
 * A username as the database compares it, so that `Demo`, `DEMO` and `démo`
 * count as one account: compatibility-decomposed, accents and other combining
 * marks dropped, lower case, trailing spaces dropped (PAD SPACE collations).
 */
export function foldUsername(username: string): string {
  return username
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ +$/, '');
}

/** A counter key: fixed length, no control characters, whatever was typed. */
function counterKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 40);
}

function countersIn(settings: ResolvedLoginThrottle, database: DatabaseCounterFactory | undefined, timeoutMs: number): CounterFactory {
  const { store } = settings;
  if (store === 'memory') return (o) => new RateLimiterMemory(o);
  if (store === 'database') {
    if (!database) throw new TypeError("passport-simplejwt: 'loginThrottle.store' 'database' needs the 'sequelize' setting");
    return (o) => new RememberingCounter(database({ ...o, timeoutMs }));
  }
  // Fail at once while Redis is down or reconnecting, rather than queue logins behind it.
  return (o) =>
    new RateLimiterRedis({ ...o, storeClient: store.redis, useRedisPackage: true, rejectIfRedisNotReady: true, inMemoryBlockOnConsumed: o.points + 1 });
}

/** Seconds a throttled client must wait: whole seconds, at least 1 (the `Retry-After` header). */
function waitSeconds(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}

/**
 * The keys (addresses) this process has seen refused by their counter, each
 * until its window ends (on the counters' clock, `Date.now()`); at most
 * {@link LOGIN_BLOCKED_ADDRESSES_MAX} of them.
 */
class BlockedKeys {
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
 * A store's counter that also remembers in this process a key over its limit
 * until its window ends: a flood at a throttled key is answered 429 without
 * a query. At most {@link LOGIN_BLOCKED_ADDRESSES_MAX} keys are remembered.
 */
class RememberingCounter implements FailureCounter {
  private readonly blocked = new BlockedKeys();

  constructor(private readonly counter: FailureCounter) {}

  async consume(key: string): Promise<unknown> {
    const left = this.blocked.msBefore(key);
    if (left > 0) throw new RateLimiterRes(0, left);
    return this.counter.consume(key).catch((err: unknown) => {
      if (err instanceof RateLimiterRes) this.blocked.add(key, err.msBeforeNext);
      throw err;
    });
  }

  reward(key: string): Promise<unknown> {
    return this.counter.reward(key);
  }
}

/**
 * `loginThrottle` (docs/production.md, "Throttling logins"): counts failed logins per username and per client
 * address in rate-limiter-flexible counters (memory, Redis or the database),
 * fixed windows of `window` seconds. An attempt is counted before the
 * password is checked, so concurrent guesses cannot slip past the limit, and
 * given back when the credentials are right.
 */
export class LoginThrottle {
  private readonly counters: Counters;
  private readonly blocked = new BlockedKeys();
  /** Refusals in the tarpit now. */
  private held = 0;
  /** The tarpit's bounds (see {@link LoginTarpit}). */
  readonly tarpit: LoginTarpit = { delayMs: LOGIN_TARPIT_DELAY_MS, maxHeld: LOGIN_TARPIT_MAX_HELD };

  /**
   * @param settings - the resolved `loginThrottle` setting.
   * @param database - builds the counters of `store: 'database'` (the installed storage's).
   * @param timeoutMs - how long a store may wait for a lock (`storageTimeout`).
   */
  constructor(
    private readonly settings: ResolvedLoginThrottle,
    database?: DatabaseCounterFactory,
    timeoutMs = 3000,
  ) {
    const counter = countersIn(settings, database, timeoutMs);
    const { failures, perAddress, window, keyPrefix } = settings;
    this.counters = {
      perAddress: perAddress === null ? null : counter({ keyPrefix: `${keyPrefix}:addr`, points: perAddress, duration: window }),
      perAccountAddress: counter({ keyPrefix: `${keyPrefix}:pair`, points: failures, duration: window }),
      perAccount: counter({ keyPrefix: `${keyPrefix}:user`, points: accountCeiling(settings), duration: window }),
    };
  }

  /**
   * Counts a login attempt for the account `accountId` (the user store's
   * `accountIdOf()`), else `username` folded (see {@link foldUsername}),
   * from `address` (`req.ip`; none: no per-address count). Throws `Throttled`
   * (429) when the address, the account from this address, or the account
   * from anywhere is over its limit; `ServiceUnavailable` (503) when the store
   * fails.
   */
  async begin(username: string, address: string | undefined, accountId: string | null = null): Promise<LoginAttempt> {
    const account = accountId === null ? `name:${foldUsername(username)}` : `id:${accountId}`;
    const { perAddress, perAccountAddress, perAccount } = this.counters;
    // The address first: a throttled address spends none of its victims' attempts.
    const steps: Array<[FailureCounter, string]> = [];
    if (perAddress && address) steps.push([perAddress, address]);
    steps.push([perAccountAddress, counterKey(account, address ?? '')], [perAccount, counterKey(account)]);
    const counted: Array<[FailureCounter, string]> = [];
    try {
      for (const [counter, key] of steps) {
        await counter.consume(key).catch((err: unknown) => {
          // An address over its limit is refused early (before its body is read) until its window ends.
          if (err instanceof RateLimiterRes && counter === perAddress) this.blocked.add(key, err.msBeforeNext);
          throw err;
        });
        counted.push([counter, key]);
      }
    } catch (err) {
      if (err instanceof RateLimiterRes) throw new Throttled(waitSeconds(err.msBeforeNext));
      throw this.storeFailure(err);
    }
    return {
      succeeded: async () => {
        try {
          await Promise.all(counted.map(([counter, key]) => counter.reward(key)));
        } catch (err) {
          throw this.storeFailure(err);
        }
      },
    };
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
