import type { Request } from 'express';
import type { Sequelize } from 'sequelize';
import { parseDuration, type Duration } from './duration';
import type { UserStore } from './user-store';
import type { BlacklistCache } from './cache/blacklist-cache';
import type { Token } from './tokens/token';
import type { Logger } from './logger';
import type { SerializerClass } from './serializers/serializer';

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
 * settings, with its defaults. Durations are seconds (a number) or a string
 * such as `'5m'`, `'1d'`. A bad or unsafe setting throws a `TypeError` naming
 * it when the instance is built.
 *
 * @example
 * const sj = new SimpleJWT({ signingKey: process.env.JWT_SECRET!, users, accessTokenLifetime: '5m' });
 */
export interface SimpleJWTOptions<U = unknown> {
  /**
   * The key tokens are signed with (`SIGNING_KEY`). HS*: a shared secret of at
   * least 32 bytes (48 for HS384, 64 for HS512 to avoid a warning); never a PEM
   * or JWK. RS/ES/PS: a private key (PEM, Buffer or `KeyObject`). Required,
   * except on a verify-only RS/ES/PS instance with `verifyingKey` or `jwkUrl`.
   */
  signingKey?: KeyInput;
  /** RS/ES/PS: the public key tokens are verified with (`VERIFYING_KEY`). Default: derived from `signingKey`; ignored for HS*. */
  verifyingKey?: KeyInput;
  /** How the package finds and authenticates the app's users (see `UserStore`). Required by the obtain views and `JWTStrategy`. Default: none. */
  users?: UserStore<U>;
  /** The app's Sequelize instance, where the blacklist and family apps keep their tables. Required when an app is on. Default: none. */
  sequelize?: Sequelize;
  /** The stateful apps to turn on (Django's `INSTALLED_APPS`). Default `{ blacklist: false, tokenFamily: false }`. */
  apps?: Apps;
  /** How long an access token lives (`ACCESS_TOKEN_LIFETIME`). Default `'5m'`. */
  accessTokenLifetime?: Duration;
  /** How long a refresh token lives (`REFRESH_TOKEN_LIFETIME`). Default `'1d'`. */
  refreshTokenLifetime?: Duration;
  /** Refresh answers a new refresh token too (`ROTATE_REFRESH_TOKENS`). Default `false`. */
  rotateRefreshTokens?: boolean;
  /** With rotation, the used refresh token is blacklisted (`BLACKLIST_AFTER_ROTATION`); needs `apps.blacklist`. Default `false`. */
  blacklistAfterRotation?: boolean;
  /** Obtain records the user's last login through the user store (`UPDATE_LAST_LOGIN`). Default `false`. */
  updateLastLogin?: boolean;
  /** Refresh tokens carry a family id, so a reused token can end its whole session (`TOKEN_FAMILY_ENABLED`); needs `apps.tokenFamily`. Default `false`. */
  tokenFamilyEnabled?: boolean;
  /** How long a token family lives, from login (`TOKEN_FAMILY_LIFETIME`); `null`: never expires. Default `'30d'`. */
  tokenFamilyLifetime?: Duration | null;
  /** Access tokens of a blacklisted or expired family are refused too (`TOKEN_FAMILY_CHECK_ON_ACCESS`); needs `apps.tokenFamily`. Default `false`. */
  tokenFamilyCheckOnAccess?: boolean;
  /** Reusing a rotated refresh token blacklists its whole family (`TOKEN_FAMILY_BLACKLIST_ON_REUSE`); needs `apps.tokenFamily`. Default `false`. */
  tokenFamilyBlacklistOnReuse?: boolean;
  /**
   * For this long after a rotation, presenting the consumed refresh token
   * again answers its recorded successor instead of a reuse error (lost
   * responses, parallel tabs); needs rotation, `blacklistAfterRotation` and
   * `apps.blacklist`. Default `0` (off).
   */
  refreshTokenReuseInterval?: Duration;
  /** The signing algorithm (`ALGORITHM`): HS/RS/ES/PS 256/384/512. Default `'HS256'`. */
  algorithm?: Algorithm;
  /** The `aud` claim written and required (`AUDIENCE`). Default `null` (none). */
  audience?: string | string[] | null;
  /** The `iss` claim written and required (`ISSUER`). Default `null` (none). */
  issuer?: string | null;
  /** A `JSON.stringify` replacer for the claims (`JSON_ENCODER`). Default `null`. */
  jsonEncoder?: ((this: unknown, key: string, value: unknown) => unknown) | null;
  /** RS/ES/PS: verify against the JSON Web Key Set at this URL (`JWK_URL`); `https://` (plain `http://` only to localhost). Default `null`. */
  jwkUrl?: string | null;
  /** Clock skew allowed on `exp`/`nbf` (`LEEWAY`); a warning when longer than the access token lifetime. Default `0`. */
  leeway?: Duration;
  /** Accepted schemes of the auth header, the first one announced in `WWW-Authenticate` (`AUTH_HEADER_TYPES`). Default `['Bearer']`. */
  authHeaderTypes?: string | string[];
  /** The header the token is read from, case-insensitive; `'HTTP_X_ACCESS_TOKEN'` style accepted (`AUTH_HEADER_NAME`). Default `'authorization'`. */
  authHeaderName?: string;
  /** The user's attribute written into tokens as its id (`USER_ID_FIELD`). Default `'id'`. */
  userIdField?: string;
  /** The claim holding the user id (`USER_ID_CLAIM`). Default `'user_id'`. */
  userIdClaim?: string;
  /** The login field of the obtain body (Django's `USERNAME_FIELD`). Default `'username'`. */
  usernameField?: string;
  /** Whether an authenticated user may get tokens (`USER_AUTHENTICATION_RULE`). Default: the user exists and, with `checkUserIsActive`, is active. */
  userAuthenticationRule?: (user: U | null, sj: unknown) => boolean;
  /** Runs after a successful login (`ON_LOGIN_SUCCESS`); `null` turns the default off. Default: updates the last login (with `updateLastLogin`). */
  onLoginSuccess?: ((user: U, req?: Request) => void | Promise<void>) | null;
  /** Runs after a failed login, with the password masked (`ON_LOGIN_FAILED`). Default: nothing. */
  onLoginFailed?: ((credentials: Record<string, string>, req?: Request) => void | Promise<void>) | null;
  /** The token classes a request's token is tried against, in order (`AUTH_TOKEN_CLASSES`). Default `['AccessToken']`. */
  authTokenClasses?: AuthTokenClass | AuthTokenClass[];
  /** The claim holding the token type (`TOKEN_TYPE_CLAIM`); `null`: not written or checked. Default `'token_type'`. */
  tokenTypeClaim?: string | null;
  /** The stateless user class (`TOKEN_USER_CLASS`): built with the validated token and the user id claim's name. Default `TokenUser`. */
  tokenUserClass?: new (token: Token, userIdClaim: string) => unknown;
  /** The claim holding the token id (`JTI_CLAIM`); `null`: none (the blacklist needs one). Default `'jti'`. */
  jtiClaim?: string | null;
  /** The claim holding the family id (`TOKEN_FAMILY_CLAIM`). Default `'family_id'`. */
  tokenFamilyClaim?: string;
  /** The claim holding the family's expiry (`TOKEN_FAMILY_EXPIRATION_CLAIM`). Default `'family_exp'`. */
  tokenFamilyExpirationClaim?: string;
  /** The claim holding a sliding token's refresh deadline (`SLIDING_TOKEN_REFRESH_EXP_CLAIM`). Default `'refresh_exp'`. */
  slidingTokenRefreshExpClaim?: string;
  /** How long a sliding token authenticates (`SLIDING_TOKEN_LIFETIME`). Default `'5m'`. */
  slidingTokenLifetime?: Duration;
  /** How long a sliding token can be refreshed (`SLIDING_TOKEN_REFRESH_LIFETIME`). Default `'1d'`. */
  slidingTokenRefreshLifetime?: Duration;
  /** The serializer of the obtain-pair view; Simple JWT's old name of `tokenObtainPairSerializer` (`TOKEN_OBTAIN_SERIALIZER`). Default `TokenObtainPairSerializer`. */
  tokenObtainSerializer?: SerializerClass<U> | null;
  /** The serializer of the obtain-pair view (`TOKEN_OBTAIN_PAIR_SERIALIZER`). Default `TokenObtainPairSerializer`. */
  tokenObtainPairSerializer?: SerializerClass<U> | null;
  /** The serializer of the sliding obtain view (`TOKEN_OBTAIN_SLIDING_SERIALIZER`). Default `TokenObtainSlidingSerializer`. */
  tokenObtainSlidingSerializer?: SerializerClass<U> | null;
  /** The serializer of the refresh view (`TOKEN_REFRESH_SERIALIZER`). Default `TokenRefreshSerializer`. */
  tokenRefreshSerializer?: SerializerClass<U> | null;
  /** The serializer of the sliding refresh view (`TOKEN_REFRESH_SLIDING_SERIALIZER`). Default `TokenRefreshSlidingSerializer`. */
  tokenRefreshSlidingSerializer?: SerializerClass<U> | null;
  /** The serializer of the verify view (`TOKEN_VERIFY_SERIALIZER`). Default `TokenVerifySerializer`. */
  tokenVerifySerializer?: SerializerClass<U> | null;
  /** The serializer of the blacklist view (`TOKEN_BLACKLIST_SERIALIZER`). Default `TokenBlacklistSerializer`. */
  tokenBlacklistSerializer?: SerializerClass<U> | null;
  /** The serializer of the family blacklist view (`TOKEN_FAMILY_BLACKLIST_SERIALIZER`). Default `TokenFamilyBlacklistSerializer`. */
  tokenFamilyBlacklistSerializer?: SerializerClass<U> | null;
  /** Tokens carry a hash of the password and stop working when it changes (`CHECK_REVOKE_TOKEN`). Default `false`. */
  checkRevokeToken?: boolean;
  /** The claim holding that hash (`REVOKE_TOKEN_CLAIM`). Default `'hash_password'`. */
  revokeTokenClaim?: string;
  /** Inactive users can neither log in nor authenticate (`CHECK_USER_IS_ACTIVE`). Default `true`. */
  checkUserIsActive?: boolean;
  /** Where blacklisted jtis and families are cached (`SJWT_CACHE_NAME`): `RedisBlacklistCache` when several processes serve. Default: in memory. */
  cache?: BlacklistCache;
  /** Cache blacklisted refresh tokens (`CACHE_BLACKLISTED_REFRESH_TOKENS`). Default `false`. */
  cacheBlacklistedRefreshTokens?: boolean;
  /** Cache blacklisted families (`CACHE_BLACKLISTED_FAMILIES`). Default `false`. */
  cacheBlacklistedFamilies?: boolean;
  /** How long a cached blacklisted refresh token is kept (`CACHE_TTL_BLACKLISTED_REFRESH_TOKENS`). Default `3600` seconds. */
  cacheTtlBlacklistedRefreshTokens?: Duration;
  /** How long a cached blacklisted family is kept (`CACHE_TTL_BLACKLISTED_FAMILIES`). Default `3600` seconds. */
  cacheTtlBlacklistedFamilies?: Duration;
  /** Key prefix of cached refresh tokens (`CACHE_KEY_PREFIX_BLACKLISTED_REFRESH_TOKENS`). Default `'sjwt_brt'`. */
  cacheKeyPrefixBlacklistedRefreshTokens?: string;
  /** Key prefix of cached families (`CACHE_KEY_PREFIX_BLACKLISTED_FAMILIES`). Default `'sjwt_btf'`. */
  cacheKeyPrefixBlacklistedFamilies?: string;
  /** Receives unexpected errors (with their `cause` chain) and configuration warnings: an object with `error` and `warn` (pino, winston…). Default `console`. */
  logger?: Logger;
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
  /** The clock; tests inject one instead of sleeping. Default `() => new Date()`. */
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
  'cacheKeyPrefixBlacklistedFamilies', 'logger', 'storageTimeout', 'loginThrottle', 'loginConcurrency', 'now',
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
/** The hosts a `jwkUrl` may reach over plain `http://` (this machine). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

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
    // Keys fetched over plain HTTP can be swapped by anyone on the path: they would accept forged tokens.
    if (options.jwkUrl.startsWith('http:') && !LOOPBACK_HOSTS.has(URL.canParse(options.jwkUrl) ? new URL(options.jwkUrl).hostname : '')) {
      fail(`'jwkUrl' must use https:// (plain http:// is accepted only for localhost and 127.0.0.1): ${options.jwkUrl}`);
    }
  }

  if (options.logger !== undefined) {
    const logger = options.logger as Partial<Logger> | null;
    if (!logger || typeof logger !== 'object' || typeof logger.error !== 'function' || typeof logger.warn !== 'function') {
      fail("'logger' must be an object with error() and warn() (console, pino, winston…)");
    }
  }

  const refreshTokenReuseInterval = duration(options, 'refreshTokenReuseInterval', 0);
  if (refreshTokenReuseInterval > 0) {
    // The interval answers a consumed token's recorded successor: without rotation and its blacklist there is none.
    if (options.rotateRefreshTokens !== true) fail("'refreshTokenReuseInterval' needs 'rotateRefreshTokens: true'");
    if (options.blacklistAfterRotation !== true) fail("'refreshTokenReuseInterval' needs 'blacklistAfterRotation: true'");
    if (!apps.blacklist) fail("'refreshTokenReuseInterval' needs the blacklist app ('apps.blacklist: true')");
  }

  // Settings that would silently do less than they say.
  if (options.blacklistAfterRotation === true && !apps.blacklist) {
    fail("'blacklistAfterRotation' needs the blacklist app ('apps.blacklist: true'): without it a used refresh token could be used again");
  }
  if (!apps.tokenFamily) {
    for (const name of ['tokenFamilyEnabled', 'tokenFamilyCheckOnAccess', 'tokenFamilyBlacklistOnReuse']) {
      if (options[name] === true) fail(`'${name}' needs the token family app ('apps.tokenFamily: true')`);
    }
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

/** HMAC secrets shorter than the hash output are weaker than the algorithm (RFC 7518, section 3.2). */
const HMAC_HASH_BYTES: Readonly<Partial<Record<Algorithm, number>>> = { HS384: 48, HS512: 64 };

/**
 * What works but is weaker than it looks: an HMAC secret shorter than its
 * hash, a `leeway` longer than the access token lifetime. The instance
 * prints each once through `logger.warn`.
 */
export function configurationWarnings(settings: ResolvedSettings, hmacSecretBytes: number | null): string[] {
  const warnings: string[] = [];
  const hashBytes = HMAC_HASH_BYTES[settings.algorithm];
  if (hmacSecretBytes !== null && hashBytes !== undefined && hmacSecretBytes < hashBytes) {
    warnings.push(`passport-simplejwt: 'signingKey' is ${hmacSecretBytes} bytes, shorter than the ${hashBytes}-byte hash of ${settings.algorithm} (RFC 7518, section 3.2): use a secret of at least ${hashBytes} bytes`);
  }
  if (settings.leeway > settings.accessTokenLifetime) {
    warnings.push(`passport-simplejwt: 'leeway' (${settings.leeway} s) is longer than 'accessTokenLifetime' (${settings.accessTokenLifetime} s): expired access tokens stay valid for longer than they lived`);
  }
  return warnings;
}
