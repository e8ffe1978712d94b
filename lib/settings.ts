import type { Request } from 'express';
import type { Sequelize } from 'sequelize';
import { parseDuration, type Duration } from './duration';
import type { UserStore } from './user-store';
import type { BlacklistCache } from './cache/blacklist-cache';
import type { Token } from './tokens/token';

/** Default lifetimes, in seconds (Simple JWT's defaults). */
export const DEFAULT_ACCESS_TOKEN_LIFETIME = 5 * 60;
export const DEFAULT_REFRESH_TOKEN_LIFETIME = 24 * 60 * 60;
export const DEFAULT_SLIDING_TOKEN_LIFETIME = 5 * 60;
export const DEFAULT_SLIDING_TOKEN_REFRESH_LIFETIME = 24 * 60 * 60;
export const DEFAULT_TOKEN_FAMILY_LIFETIME = 30 * 24 * 60 * 60;
export const DEFAULT_CACHE_TTL = 3600;
/** Default `storageTimeout`, in seconds: the deadline of a request's storage work. */
export const DEFAULT_STORAGE_TIMEOUT = 3;
/** How many `users.authenticate()` calls (password hashing) run at once by default. */
export const DEFAULT_LOGIN_CONCURRENCY = 2;
/** `loginThrottle` defaults: failed logins per username, per client address, and their window (seconds). */
export const DEFAULT_LOGIN_THROTTLE_FAILURES = 5;
export const DEFAULT_LOGIN_THROTTLE_PER_ADDRESS = 50;
export const DEFAULT_LOGIN_THROTTLE_WINDOW = 15 * 60;
/** `loginThrottle.keyPrefix` default: the prefix of the counters' keys. */
export const DEFAULT_LOGIN_THROTTLE_KEY_PREFIX = 'sjwt_login';
/** What `onLoginFailed` sees instead of the password. */
export const MASKED_PASSWORD = '********************';

/** The signing algorithms the token backend knows. */
export const ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** Key material: a PEM or secret string, a Buffer, or a prepared `crypto.KeyObject`. */
export type KeyInput = string | Buffer | import('node:crypto').KeyObject;

/** The apps of Simple JWT that keep state in the database. */
export interface Apps {
  /** `rest_framework_simplejwt.token_blacklist` */
  blacklist?: boolean;
  /** `rest_framework_simplejwt.token_family` */
  tokenFamily?: boolean;
}

/**
 * Where the failed-login counters of `loginThrottle` live: `'memory'` (one
 * process), `'database'` (the `sequelize` database: SQLite, PostgreSQL or
 * MySQL/MariaDB, shared by every process on it), or `{ redis }` with the
 * official `redis` client, connected (shared by every process on it).
 */
export type LoginThrottleStore = 'memory' | 'database' | { redis: object };

/**
 * `loginThrottle`: too many failed logins for one username, or from one
 * client address (`req.ip`), within `window` answer 429 before any password
 * is hashed.
 *
 * @example
 * new SimpleJWT({ ..., loginThrottle: { failures: 5, window: '15m', perAddress: 50, store: 'database' } });
 */
export interface LoginThrottleOptions {
  /** Failed logins allowed per username within the window. Default 5. */
  failures?: number;
  /** The window the failures are counted in. Default 15 minutes. */
  window?: Duration;
  /** Failed logins allowed per client address within the window; `null`: no per-address limit. Default 50. */
  perAddress?: number | null;
  /** Where the counters live. Default `'memory'`. */
  store?: LoginThrottleStore;
  /** Prefix of the counters' keys (letters, digits, `_`, `:`, `-`), to share a store between apps. Default `'sjwt_login'`. */
  keyPrefix?: string;
}

/** `loginThrottle` after defaults: the window in seconds. */
export interface ResolvedLoginThrottle {
  failures: number;
  window: number;
  perAddress: number | null;
  store: LoginThrottleStore;
  keyPrefix: string;
}

/** A token class name of the instance, or a class derived from one. */
export type AuthTokenClass = 'AccessToken' | 'RefreshToken' | 'SlidingToken' | 'UntypedToken' | (abstract new (...args: never[]) => unknown);

/**
 * Options of `new SimpleJWT(options)`: the camelCase names of Simple JWT's
 * settings, with its defaults. See the README for each one.
 */
export interface SimpleJWTOptions<U = unknown> {
  signingKey?: KeyInput;
  verifyingKey?: KeyInput;
  users?: UserStore<U>;
  sequelize?: Sequelize;
  apps?: Apps;
  accessTokenLifetime?: Duration;
  refreshTokenLifetime?: Duration;
  rotateRefreshTokens?: boolean;
  blacklistAfterRotation?: boolean;
  updateLastLogin?: boolean;
  tokenFamilyEnabled?: boolean;
  tokenFamilyLifetime?: Duration | null;
  tokenFamilyCheckOnAccess?: boolean;
  tokenFamilyBlacklistOnReuse?: boolean;
  refreshTokenReuseInterval?: Duration;
  algorithm?: Algorithm;
  audience?: string | string[] | null;
  issuer?: string | null;
  jsonEncoder?: ((this: unknown, key: string, value: unknown) => unknown) | null;
  jwkUrl?: string | null;
  leeway?: Duration;
  authHeaderTypes?: string | string[];
  authHeaderName?: string;
  userIdField?: string;
  userIdClaim?: string;
  usernameField?: string;
  userAuthenticationRule?: (user: U | null, sj: unknown) => boolean;
  onLoginSuccess?: ((user: U, req?: Request) => void | Promise<void>) | null;
  onLoginFailed?: ((credentials: Record<string, string>, req?: Request) => void | Promise<void>) | null;
  authTokenClasses?: AuthTokenClass | AuthTokenClass[];
  tokenTypeClaim?: string | null;
  /** The stateless user class: built with the validated token and the user id claim's name. */
  tokenUserClass?: new (token: Token, userIdClaim: string) => unknown;
  jtiClaim?: string | null;
  tokenFamilyClaim?: string;
  tokenFamilyExpirationClaim?: string;
  slidingTokenRefreshExpClaim?: string;
  slidingTokenLifetime?: Duration;
  slidingTokenRefreshLifetime?: Duration;
  tokenObtainSerializer?: unknown;
  tokenObtainPairSerializer?: unknown;
  tokenObtainSlidingSerializer?: unknown;
  tokenRefreshSerializer?: unknown;
  tokenRefreshSlidingSerializer?: unknown;
  tokenVerifySerializer?: unknown;
  tokenBlacklistSerializer?: unknown;
  tokenFamilyBlacklistSerializer?: unknown;
  checkRevokeToken?: boolean;
  revokeTokenClaim?: string;
  checkUserIsActive?: boolean;
  cache?: BlacklistCache;
  cacheBlacklistedRefreshTokens?: boolean;
  cacheBlacklistedFamilies?: boolean;
  cacheTtlBlacklistedRefreshTokens?: Duration;
  cacheTtlBlacklistedFamilies?: Duration;
  cacheKeyPrefixBlacklistedRefreshTokens?: string;
  cacheKeyPrefixBlacklistedFamilies?: string;
  /**
   * The deadline of a request's storage work (database and cache), default 3 s:
   * past it the request answers 503 and nothing it wrote is committed. The
   * SQLite busy timeout and the client-side query timeouts on PostgreSQL and
   * MariaDB are derived from it.
   */
  storageTimeout?: Duration;
  /** Throttling of failed logins at the obtain endpoints (SPEC 8). Default `false`. */
  loginThrottle?: LoginThrottleOptions | false;
  /** How many `users.authenticate()` calls (password hashing) run at once; the others wait. Default 2. */
  loginConcurrency?: number;
  /** The clock; tests inject one instead of sleeping. Defaults to `() => new Date()`. */
  now?: () => Date;
}

/** Settings after defaults and parsing: every duration in seconds. */
export interface ResolvedSettings {
  apps: Required<Apps>;
  accessTokenLifetime: number;
  refreshTokenLifetime: number;
  rotateRefreshTokens: boolean;
  blacklistAfterRotation: boolean;
  updateLastLogin: boolean;
  tokenFamilyEnabled: boolean;
  tokenFamilyLifetime: number | null;
  tokenFamilyCheckOnAccess: boolean;
  tokenFamilyBlacklistOnReuse: boolean;
  refreshTokenReuseInterval: number;
  algorithm: Algorithm;
  audience: string | string[] | null;
  issuer: string | null;
  jsonEncoder: ((this: unknown, key: string, value: unknown) => unknown) | null;
  jwkUrl: string | null;
  leeway: number;
  authHeaderTypes: string[];
  /** Lower-case HTTP header name, as Node stores it in `req.headers`. */
  authHeaderName: string;
  userIdField: string;
  userIdClaim: string;
  usernameField: string;
  tokenTypeClaim: string | null;
  jtiClaim: string | null;
  tokenFamilyClaim: string;
  tokenFamilyExpirationClaim: string;
  slidingTokenRefreshExpClaim: string;
  slidingTokenLifetime: number;
  slidingTokenRefreshLifetime: number;
  checkRevokeToken: boolean;
  revokeTokenClaim: string;
  checkUserIsActive: boolean;
  cacheBlacklistedRefreshTokens: boolean;
  cacheBlacklistedFamilies: boolean;
  cacheTtlBlacklistedRefreshTokens: number;
  cacheTtlBlacklistedFamilies: number;
  cacheKeyPrefixBlacklistedRefreshTokens: string;
  cacheKeyPrefixBlacklistedFamilies: string;
  /** Seconds. */
  storageTimeout: number;
  /** `null` when throttling is off. */
  loginThrottle: ResolvedLoginThrottle | null;
  loginConcurrency: number;
}

/** Simple JWT settings that no longer exist, and what replaced them. */
const REMOVED_SETTINGS: Readonly<Record<string, string>> = {
  authHeaderType: "use 'authHeaderTypes'",
  authTokenClass: "use 'authTokenClasses'",
  secretKey: "use 'signingKey'",
  tokenBackendClass: 'the token backend is not pluggable',
};

const KNOWN_SETTINGS = new Set<string>([
  'signingKey', 'verifyingKey', 'users', 'sequelize', 'apps', 'accessTokenLifetime', 'refreshTokenLifetime',
  'rotateRefreshTokens', 'blacklistAfterRotation', 'updateLastLogin', 'tokenFamilyEnabled', 'tokenFamilyLifetime',
  'tokenFamilyCheckOnAccess', 'tokenFamilyBlacklistOnReuse', 'refreshTokenReuseInterval', 'algorithm', 'audience',
  'issuer', 'jsonEncoder', 'jwkUrl', 'leeway', 'authHeaderTypes', 'authHeaderName', 'userIdField', 'userIdClaim',
  'usernameField', 'userAuthenticationRule', 'onLoginSuccess', 'onLoginFailed', 'authTokenClasses', 'tokenTypeClaim',
  'tokenUserClass', 'jtiClaim', 'tokenFamilyClaim', 'tokenFamilyExpirationClaim', 'slidingTokenRefreshExpClaim',
  'slidingTokenLifetime', 'slidingTokenRefreshLifetime', 'tokenObtainSerializer', 'tokenObtainPairSerializer',
  'tokenObtainSlidingSerializer', 'tokenRefreshSerializer', 'tokenRefreshSlidingSerializer', 'tokenVerifySerializer',
  'tokenBlacklistSerializer', 'tokenFamilyBlacklistSerializer', 'checkRevokeToken', 'revokeTokenClaim',
  'checkUserIsActive', 'cache', 'cacheBlacklistedRefreshTokens', 'cacheBlacklistedFamilies',
  'cacheTtlBlacklistedRefreshTokens', 'cacheTtlBlacklistedFamilies', 'cacheKeyPrefixBlacklistedRefreshTokens',
  'cacheKeyPrefixBlacklistedFamilies', 'storageTimeout', 'loginThrottle', 'loginConcurrency', 'now',
]);

function fail(message: string): never {
  throw new TypeError(`passport-simplejwt: ${message}`);
}

function bool(options: Record<string, unknown>, name: string, fallback: boolean, label = name): boolean {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(`'${label}' must be a boolean`);
  return value;
}

function str(options: Record<string, unknown>, name: string, fallback: string): string {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') fail(`'${name}' must be a non-empty string`);
  return value;
}

function nullableStr(options: Record<string, unknown>, name: string, fallback: string | null): string | null {
  const value = options[name];
  if (value === undefined) return fallback;
  if (value === null) return null;
  if (typeof value !== 'string' || value === '') fail(`'${name}' must be a non-empty string or null`);
  return value;
}

function duration(options: Record<string, unknown>, name: string, fallback: number): number {
  const value = options[name];
  if (value === undefined) return fallback;
  const seconds = parseDuration(value);
  if (seconds === undefined) fail(`'${name}' must be a number of seconds or a duration string such as '5m' or '1d'`);
  return seconds;
}

function fn(options: Record<string, unknown>, name: string): void {
  const value = options[name];
  if (value !== undefined && value !== null && typeof value !== 'function') fail(`'${name}' must be a function`);
}

/**
 * 'HTTP_X_ACCESS_TOKEN' (Django's META name) → 'x-access-token'; any other
 * header name is lower-cased, as Node stores them.
 */
export function normaliseHeaderName(name: string): string {
  const django = /^HTTP_(.+)$/.exec(name);
  return (django ? django[1].replace(/_/g, '-') : name).toLowerCase();
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) fail(`'${name}' must be a positive integer`);
  return value;
}

const THROTTLE_KEYS = new Set(['failures', 'window', 'perAddress', 'store', 'keyPrefix']);
const THROTTLE_KEY_PREFIX = /^[A-Za-z0-9_:-]+$/;

function loginThrottleStore(value: unknown, hasSequelize: boolean): LoginThrottleStore {
  if (value === undefined || value === 'memory') return 'memory';
  if (value === 'database') {
    if (!hasSequelize) fail("'loginThrottle.store' 'database' needs the 'sequelize' setting");
    return 'database';
  }
  const redis = value !== null && typeof value === 'object' ? (value as { redis?: unknown }).redis : undefined;
  const client = redis as { eval?: unknown; multi?: unknown } | null | undefined;
  if (client === null || typeof client !== 'object' || typeof client.eval !== 'function' || typeof client.multi !== 'function') {
    fail("'loginThrottle.store' must be 'memory', 'database' or { redis } with a client of the official 'redis' package");
  }
  return { redis: client };
}

/** `loginThrottle`: false, or an object whose fields take their defaults. */
function loginThrottle(value: unknown, hasSequelize: boolean): ResolvedLoginThrottle | null {
  if (value === undefined || value === false) return null;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail("'loginThrottle' must be false or an object such as { failures: 5, window: '15m', perAddress: 50 }");
  const options = value as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!THROTTLE_KEYS.has(key)) fail(`unknown setting 'loginThrottle.${key}' (known: ${[...THROTTLE_KEYS].join(', ')})`);
  }
  const window = options.window === undefined ? DEFAULT_LOGIN_THROTTLE_WINDOW : parseDuration(options.window);
  if (window === undefined || window <= 0) fail("'loginThrottle.window' must be a positive number of seconds or a duration string such as '15m'");
  const keyPrefix = options.keyPrefix ?? DEFAULT_LOGIN_THROTTLE_KEY_PREFIX;
  if (typeof keyPrefix !== 'string' || !THROTTLE_KEY_PREFIX.test(keyPrefix)) fail("'loginThrottle.keyPrefix' must be letters, digits, '_', ':' or '-'");
  return {
    failures: positiveInteger(options.failures, 'loginThrottle.failures', DEFAULT_LOGIN_THROTTLE_FAILURES),
    window,
    perAddress: options.perAddress === null ? null : positiveInteger(options.perAddress, 'loginThrottle.perAddress', DEFAULT_LOGIN_THROTTLE_PER_ADDRESS),
    store: loginThrottleStore(options.store, hasSequelize),
    keyPrefix,
  };
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Applies defaults and validates every setting; throws a TypeError naming the bad one. */
export function resolveSettings(input: unknown): ResolvedSettings {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) fail('options must be an object');
  const options = input as Record<string, unknown>;

  for (const key of Object.keys(options)) {
    if (Object.prototype.hasOwnProperty.call(REMOVED_SETTINGS, key)) fail(`the '${key}' setting has been removed: ${REMOVED_SETTINGS[key]}`);
    if (!KNOWN_SETTINGS.has(key)) fail(`unknown setting '${key}'`);
  }

  const appsInput = options.apps ?? {};
  if (typeof appsInput !== 'object' || appsInput === null || Array.isArray(appsInput)) fail("'apps' must be an object such as { blacklist: true }");
  for (const key of Object.keys(appsInput)) {
    if (key !== 'blacklist' && key !== 'tokenFamily') fail(`unknown app 'apps.${key}' (known: blacklist, tokenFamily)`);
  }
  const apps = {
    blacklist: bool(appsInput as Record<string, unknown>, 'blacklist', false, 'apps.blacklist'),
    tokenFamily: bool(appsInput as Record<string, unknown>, 'tokenFamily', false, 'apps.tokenFamily'),
  };
  const sequelize = options.sequelize as { getDialect?: unknown } | null | undefined;
  if ((apps.blacklist || apps.tokenFamily) && (sequelize === undefined || sequelize === null)) {
    fail("'sequelize' is required when an app ('apps.blacklist' or 'apps.tokenFamily') is enabled");
  }
  if (sequelize !== undefined && (sequelize === null || typeof sequelize !== 'object' || typeof sequelize.getDialect !== 'function')) {
    fail("'sequelize' must be a Sequelize instance");
  }

  const algorithm = options.algorithm ?? 'HS256';
  if (typeof algorithm !== 'string' || !(ALGORITHMS as readonly string[]).includes(algorithm)) {
    fail(`'algorithm': Unrecognized algorithm type '${String(algorithm)}'`);
  }

  const audience = options.audience ?? null;
  if (audience !== null && typeof audience !== 'string' && !(Array.isArray(audience) && audience.length > 0 && audience.every((a) => typeof a === 'string'))) {
    fail("'audience' must be a string, a non-empty array of strings, or null");
  }

  let authHeaderTypes = options.authHeaderTypes ?? ['Bearer'];
  if (typeof authHeaderTypes === 'string') authHeaderTypes = [authHeaderTypes];
  if (!Array.isArray(authHeaderTypes) || authHeaderTypes.length === 0 || !authHeaderTypes.every((t) => typeof t === 'string' && /^\S+$/.test(t))) {
    fail("'authHeaderTypes' must be a non-empty string or array of strings without spaces");
  }

  const headerName = str(options, 'authHeaderName', 'authorization');
  const authHeaderName = normaliseHeaderName(headerName);
  if (!HEADER_NAME.test(authHeaderName)) fail(`'authHeaderName' is not a valid HTTP header name: '${headerName}'`);

  let tokenFamilyLifetime: number | null = DEFAULT_TOKEN_FAMILY_LIFETIME;
  if (options.tokenFamilyLifetime === null) tokenFamilyLifetime = null;
  else tokenFamilyLifetime = duration(options, 'tokenFamilyLifetime', DEFAULT_TOKEN_FAMILY_LIFETIME);

  for (const name of ['userAuthenticationRule', 'onLoginSuccess', 'onLoginFailed', 'jsonEncoder', 'now', 'tokenUserClass']) fn(options, name);

  if (options.jwkUrl !== undefined && options.jwkUrl !== null) {
    if (typeof options.jwkUrl !== 'string' || !/^https?:\/\/[^/]/.test(options.jwkUrl)) fail("'jwkUrl' must be an http(s) URL or null");
    if ((algorithm as string).startsWith('HS')) fail(`'jwkUrl' needs an asymmetric 'algorithm' (RS*, ES* or PS*), not ${String(algorithm)}`);
  }

  const refreshTokenReuseInterval = duration(options, 'refreshTokenReuseInterval', 0);
  if (refreshTokenReuseInterval > 0) {
    // The interval answers a consumed token's recorded successor: without rotation and its blacklist there is none.
    if (options.rotateRefreshTokens !== true) fail("'refreshTokenReuseInterval' needs 'rotateRefreshTokens: true'");
    if (options.blacklistAfterRotation !== true) fail("'refreshTokenReuseInterval' needs 'blacklistAfterRotation: true'");
    if (!apps.blacklist) fail("'refreshTokenReuseInterval' needs the blacklist app ('apps.blacklist: true')");
  }

  const storageTimeout = duration(options, 'storageTimeout', DEFAULT_STORAGE_TIMEOUT);
  if (!(storageTimeout > 0)) fail("'storageTimeout' must be a positive duration");

  return {
    apps,
    accessTokenLifetime: duration(options, 'accessTokenLifetime', DEFAULT_ACCESS_TOKEN_LIFETIME),
    refreshTokenLifetime: duration(options, 'refreshTokenLifetime', DEFAULT_REFRESH_TOKEN_LIFETIME),
    rotateRefreshTokens: bool(options, 'rotateRefreshTokens', false),
    blacklistAfterRotation: bool(options, 'blacklistAfterRotation', false),
    updateLastLogin: bool(options, 'updateLastLogin', false),
    tokenFamilyEnabled: bool(options, 'tokenFamilyEnabled', false),
    tokenFamilyLifetime,
    tokenFamilyCheckOnAccess: bool(options, 'tokenFamilyCheckOnAccess', false),
    tokenFamilyBlacklistOnReuse: bool(options, 'tokenFamilyBlacklistOnReuse', false),
    refreshTokenReuseInterval,
    algorithm: algorithm as Algorithm,
    audience: audience as string | string[] | null,
    issuer: nullableStr(options, 'issuer', null),
    jsonEncoder: (options.jsonEncoder as ResolvedSettings['jsonEncoder']) ?? null,
    jwkUrl: (options.jwkUrl as string | null | undefined) ?? null,
    leeway: duration(options, 'leeway', 0),
    authHeaderTypes: authHeaderTypes as string[],
    authHeaderName,
    userIdField: str(options, 'userIdField', 'id'),
    userIdClaim: str(options, 'userIdClaim', 'user_id'),
    usernameField: str(options, 'usernameField', 'username'),
    tokenTypeClaim: nullableStr(options, 'tokenTypeClaim', 'token_type'),
    jtiClaim: nullableStr(options, 'jtiClaim', 'jti'),
    tokenFamilyClaim: str(options, 'tokenFamilyClaim', 'family_id'),
    tokenFamilyExpirationClaim: str(options, 'tokenFamilyExpirationClaim', 'family_exp'),
    slidingTokenRefreshExpClaim: str(options, 'slidingTokenRefreshExpClaim', 'refresh_exp'),
    slidingTokenLifetime: duration(options, 'slidingTokenLifetime', DEFAULT_SLIDING_TOKEN_LIFETIME),
    slidingTokenRefreshLifetime: duration(options, 'slidingTokenRefreshLifetime', DEFAULT_SLIDING_TOKEN_REFRESH_LIFETIME),
    checkRevokeToken: bool(options, 'checkRevokeToken', false),
    revokeTokenClaim: str(options, 'revokeTokenClaim', 'hash_password'),
    checkUserIsActive: bool(options, 'checkUserIsActive', true),
    cacheBlacklistedRefreshTokens: bool(options, 'cacheBlacklistedRefreshTokens', false),
    cacheBlacklistedFamilies: bool(options, 'cacheBlacklistedFamilies', false),
    cacheTtlBlacklistedRefreshTokens: duration(options, 'cacheTtlBlacklistedRefreshTokens', DEFAULT_CACHE_TTL),
    cacheTtlBlacklistedFamilies: duration(options, 'cacheTtlBlacklistedFamilies', DEFAULT_CACHE_TTL),
    cacheKeyPrefixBlacklistedRefreshTokens: str(options, 'cacheKeyPrefixBlacklistedRefreshTokens', 'sjwt_brt'),
    cacheKeyPrefixBlacklistedFamilies: str(options, 'cacheKeyPrefixBlacklistedFamilies', 'sjwt_btf'),
    storageTimeout,
    loginThrottle: loginThrottle(options.loginThrottle, sequelize !== undefined),
    loginConcurrency: positiveInteger(options.loginConcurrency, 'loginConcurrency', DEFAULT_LOGIN_CONCURRENCY),
  };
}
