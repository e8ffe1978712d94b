// The `loginThrottle` setting: false, or an object whose fields take their defaults.
import { parseDuration } from '../duration';
import {
  DEFAULT_LOGIN_THROTTLE_FAILURES,
  DEFAULT_LOGIN_THROTTLE_KEY_PREFIX,
  DEFAULT_LOGIN_THROTTLE_PER_ADDRESS,
  DEFAULT_LOGIN_THROTTLE_WINDOW,
  type LoginThrottleStore,
  type ResolvedLoginThrottle,
} from './options';
import { fail, positiveInteger } from './parse';

const THROTTLE_KEYS = new Set(['failures', 'window', 'perAddress', 'store', 'keyPrefix']);
const THROTTLE_KEY_PREFIX = /^[A-Za-z0-9_:-]+$/;

function loginThrottleStore(value: unknown): LoginThrottleStore {
  // 'database' also needs the 'sequelize' setting: a rule between settings (see RULES).
  if (value === undefined || value === 'memory') return 'memory';
  if (value === 'database') return 'database';
  const redis = value !== null && typeof value === 'object' ? (value as { redis?: unknown }).redis : undefined;
  const client = redis as { eval?: unknown; multi?: unknown } | null | undefined;
  if (client === null || typeof client !== 'object' || typeof client.eval !== 'function' || typeof client.multi !== 'function') {
    fail("'loginThrottle.store' must be 'memory', 'database' or { redis } with a client of the official 'redis' package");
  }
  return { redis: client };
}

function field(value: unknown, name: string, fallback: number): number {
  return value === undefined ? fallback : positiveInteger(value, name);
}

/** `loginThrottle`: `false` (off: `null`), or an object whose fields take their defaults. */
export function parseLoginThrottle(value: unknown): ResolvedLoginThrottle | null {
  if (value === false) return null;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    fail("'loginThrottle' must be false or an object such as { failures: 5, window: '15m', perAddress: 50 }");
  const options = value as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!THROTTLE_KEYS.has(key)) fail(`unknown setting 'loginThrottle.${key}' (known: ${[...THROTTLE_KEYS].join(', ')})`);
  }
  const window = options.window === undefined ? DEFAULT_LOGIN_THROTTLE_WINDOW : parseDuration(options.window);
  if (window === undefined || window <= 0) fail("'loginThrottle.window' must be a positive number of seconds or a duration string such as '15m'");
  const keyPrefix = options.keyPrefix ?? DEFAULT_LOGIN_THROTTLE_KEY_PREFIX;
  if (typeof keyPrefix !== 'string' || !THROTTLE_KEY_PREFIX.test(keyPrefix)) fail("'loginThrottle.keyPrefix' must be letters, digits, '_', ':' or '-'");
  return {
    failures: field(options.failures, 'loginThrottle.failures', DEFAULT_LOGIN_THROTTLE_FAILURES),
    window,
    perAddress: options.perAddress === null ? null : field(options.perAddress, 'loginThrottle.perAddress', DEFAULT_LOGIN_THROTTLE_PER_ADDRESS),
    store: loginThrottleStore(options.store),
    keyPrefix,
  };
}
