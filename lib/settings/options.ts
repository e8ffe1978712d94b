// The public settings: their input types, defaults and docs. The one place a setting's meaning is written;
// the table of parsers (./schema.ts) is checked against this interface, and the resolved type derives from both.
import type { Request } from 'express';
import type { Duration } from '../duration';
import type { UserStore } from '../types/user-store';
import type { BlacklistCache } from '../types/blacklist-cache';
import type { Logger } from '../logger';
import type { Payload } from '../types/jwt';
import type { TokenState } from '../types/apps';

/** Default lifetimes, in seconds (Simple JWT's defaults). */
export const DEFAULT_ACCESS_TOKEN_LIFETIME = 5 * 60;
export const DEFAULT_REFRESH_TOKEN_LIFETIME = 24 * 60 * 60;
export const DEFAULT_SLIDING_TOKEN_LIFETIME = 5 * 60;
export const DEFAULT_SLIDING_TOKEN_REFRESH_LIFETIME = 24 * 60 * 60;
export const DEFAULT_TOKEN_FAMILY_LIFETIME = 30 * 24 * 60 * 60;
export const DEFAULT_CACHE_TTL = 3600;
/** How often, at most, a session's `lastUsedAt` is written (seconds): refreshes in between are not recorded. */
export const SESSION_TOUCH_INTERVAL = 60;
/** The longest user agent a session keeps (characters; longer ones are cut). */
export const SESSION_USER_AGENT_MAX = 256;
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

/** The signing algorithms the token backend knows; `EdDSA` is Ed25519 (RFC 8037). */
export const ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** Key material: a PEM or secret string, a Buffer, or a prepared `crypto.KeyObject`. */
export type KeyInput = string | Buffer | import('node:crypto').KeyObject;

/**
 * A key with its id (`kid`, RFC 7515 §4.1.4): tokens signed with it name it
 * in their header, and a token naming it is verified with this key only.
 *
 * @example
 * const signingKey: KeyWithId = { kid: '2026-12', key: process.env.JWT_PRIVATE_KEY! };
 */
export interface KeyWithId {
  /** The key id: a non-empty string, unique among an instance's keys (a date such as `'2026-12'` reads well). */
  kid: string;
  /** The key: a secret for HS*, a private or public key for RS/ES/PS/EdDSA (as `signingKey` and `verifyingKey` take). */
  key: KeyInput;
}

/**
 * The key settings, as `new SimpleJWT()` takes them and `sj.setKeys()`
 * replaces them: each means what the setting of the same name means.
 *
 * @example
 * sj.setKeys({ signingKey: { kid: '2027-01', key: newPem }, verifyingKeys: [{ kid: '2026-12', key: oldPublicPem }] });
 */
export interface KeySettings {
  /** See `SimpleJWTOptions.signingKey`. Default: none (a verify-only instance). */
  signingKey?: KeyInput | KeyWithId;
  /** See `SimpleJWTOptions.verifyingKey`. Default: none. */
  verifyingKey?: KeyInput;
  /** See `SimpleJWTOptions.verifyingKeys`. Default: none. */
  verifyingKeys?: readonly KeyWithId[];
}

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

/**
 * A serializer class as a setting names it: made per request with the
 * instance; `validate(data, { req })` resolves to the 200 body. (Settings sit
 * below the serializers: their full type is `SerializerClass`.)
 */
export type SerializerClassSetting = new (sj: never) => { validate(data: unknown, context?: { req?: Request }): Promise<object> };

/**
 * A presented token as the `isRevoked` hook reads it: a `Token` of the
 * package (`token instanceof sj.RefreshToken` works), typed here by the
 * members a hook needs (settings sit below the token classes).
 */
export interface PresentedToken {
  /** The claims. */
  readonly payload: Payload;
  /** The encoded token it was decoded from. */
  readonly token: string | null;
  /** A claim, or `fallback` when absent. */
  get<T = unknown>(claim: string, fallback?: T): T | undefined;
  /** The jti claim as a string. */
  jti(): string;
  /** The `family_id` claim, or null. */
  getFamilyId(): string | null;
}

/**
 * The `isRevoked` setting: whether a presented token is refused, given what
 * storage holds about it (`state`: blacklisted, family blacklisted, the
 * rotation that consumed it) and the request it came with (undefined for
 * `token.verify()` called by the app). It replaces the package's answer
 * (`state.blacklisted || state.familyBlacklisted`). A throw is a 500, an
 * outage (a driver's connection error, `ServiceUnavailable`) a 503; bounded
 * by `storageTimeout`.
 */
export type IsRevoked = (token: PresentedToken, state: TokenState, req?: Request) => boolean | Promise<boolean>;

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
   * or JWK. RS/ES/PS/EdDSA: a private key (PEM, Buffer or `KeyObject`). As
   * `{ kid, key }`, every token's header names `kid` and tokens naming it
   * verify with this key; without a kid, headers are Simple JWT's. Required,
   * except on a verify-only instance with `verifyingKey`, `verifyingKeys` or `jwkUrl`.
   */
  signingKey?: KeyInput | KeyWithId;
  /**
   * The key that verifies tokens without a `kid` (`VERIFYING_KEY`).
   * RS/ES/PS/EdDSA: a public key (or a private key, whose public half is
   * used); default: derived from a `signingKey` given without kid. HS*: used
   * only when `signingKey` has a kid (the previous secret during a rotation);
   * otherwise the signing secret verifies. Default: none.
   */
  verifyingKey?: KeyInput;
  /**
   * More keys tokens are verified with, chosen by the token's `kid` (never
   * by trying each): the previous and the next keys of a rotation. HS*:
   * secrets (each at least 32 bytes); RS/ES/PS/EdDSA: public keys, or private
   * keys whose public half is used. The signing key's own kid verifies
   * without being listed. Not with `jwkUrl`. Default: none.
   */
  verifyingKeys?: readonly KeyWithId[];
  /** How the package finds and authenticates the app's users (see `UserStore`). Required by the obtain views and `JWTStrategy`. Default: none. */
  users?: UserStore<U>;
  /** The app's Sequelize instance, where the blacklist and family apps keep their tables. Required when an app is on. Default: none. */
  sequelize?: SequelizeInstance;
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
  /**
   * The one hook on revocation (express-jwt's `isRevoked`): called by every
   * full check of a presented token (the strategies, every serializer and
   * view, `token.verify()`) after storage was asked in one round trip; its
   * answer decides. Keep the stored answer unless you mean to let a
   * blacklisted token through. A refused token is a 401: `Token is
   * blacklisted` (reuse, on a refresh) when storage holds it blacklisted,
   * `Token family is blacklisted` when its family is, else `Token is revoked`.
   * Default: `state.blacklisted || state.familyBlacklisted`.
   *
   * @example
   * isRevoked: async (token, state) => state.blacklisted || state.familyBlacklisted || (await denied.has(token.jti())),
   */
  isRevoked?: IsRevoked;
  /** The signing algorithm (`ALGORITHM`): HS/RS/ES/PS 256/384/512, or `'EdDSA'` (Ed25519). Default `'HS256'`. */
  algorithm?: Algorithm;
  /** The `aud` claim written and required (`AUDIENCE`). Default `null` (none). */
  audience?: string | string[] | null;
  /** The `iss` claim written and required (`ISSUER`). Default `null` (none). */
  issuer?: string | null;
  /** A `JSON.stringify` replacer for the claims (`JSON_ENCODER`). Default `null`. */
  jsonEncoder?: ((this: unknown, key: string, value: unknown) => unknown) | null;
  /** RS/ES/PS/EdDSA: verify against the JSON Web Key Set at this URL (`JWK_URL`), keys chosen by `kid`; `https://` (plain `http://` only to localhost). Default `null`. */
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
  tokenUserClass?: new (token: never, userIdClaim: string) => unknown;
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
  tokenObtainSerializer?: SerializerClassSetting | null;
  /** The serializer of the obtain-pair view (`TOKEN_OBTAIN_PAIR_SERIALIZER`). Default `TokenObtainPairSerializer`. */
  tokenObtainPairSerializer?: SerializerClassSetting | null;
  /** The serializer of the sliding obtain view (`TOKEN_OBTAIN_SLIDING_SERIALIZER`). Default `TokenObtainSlidingSerializer`. */
  tokenObtainSlidingSerializer?: SerializerClassSetting | null;
  /** The serializer of the refresh view (`TOKEN_REFRESH_SERIALIZER`). Default `TokenRefreshSerializer`. */
  tokenRefreshSerializer?: SerializerClassSetting | null;
  /** The serializer of the sliding refresh view (`TOKEN_REFRESH_SLIDING_SERIALIZER`). Default `TokenRefreshSlidingSerializer`. */
  tokenRefreshSlidingSerializer?: SerializerClassSetting | null;
  /** The serializer of the verify view (`TOKEN_VERIFY_SERIALIZER`). Default `TokenVerifySerializer`. */
  tokenVerifySerializer?: SerializerClassSetting | null;
  /** The serializer of the blacklist view (`TOKEN_BLACKLIST_SERIALIZER`). Default `TokenBlacklistSerializer`. */
  tokenBlacklistSerializer?: SerializerClassSetting | null;
  /** The serializer of the family blacklist view (`TOKEN_FAMILY_BLACKLIST_SERIALIZER`). Default `TokenFamilyBlacklistSerializer`. */
  tokenFamilyBlacklistSerializer?: SerializerClassSetting | null;
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
  /** Throttling of failed logins at the obtain endpoints (docs/production.md, "Throttling logins"). Default `false`. */
  loginThrottle?: LoginThrottleOptions | false;
  /** How many `users.authenticate()` calls (password hashing) run at once; the others wait. Default 2. */
  loginConcurrency?: number;
  /** The clock; tests inject one instead of sleeping. Default `() => new Date()`. */
  now?: () => Date;
  /**
   * The most sessions (token families: one per login on one device) a user
   * may hold at once: a login beyond it revokes (blacklists the family of)
   * the session used least recently (docs/sessions.md). Needs
   * `tokenFamilyEnabled` and `apps.tokenFamily`. Default `null`: no cap.
   */
  maxSessionsPerUser?: number | null;
  /**
   * What the `token` column of `token_blacklist_outstandingtoken` holds:
   * `'raw'` the token itself (Simple JWT's behaviour), `'hash'` only
   * `sha256:<hex>` of it, so a copy of the database hands out no working
   * refresh token. Rows are found by `jti` either way (blacklisting,
   * rotation, reuse detection, flush, a Django service sharing the tables).
   * `'hash'` refuses `refreshTokenReuseInterval` (its retry answers the
   * successor read from that column). Default `'raw'`.
   */
  outstandingTokenStorage?: OutstandingTokenStorage;
}

/** What the outstanding table's `token` column holds (the `outstandingTokenStorage` setting). */
export type OutstandingTokenStorage = 'raw' | 'hash';

/**
 * A Sequelize (6) instance, as the package's public types name it: the
 * members it checks, so that the types compile in an app that has no
 * `sequelize` installed. A `new Sequelize(...)` is one.
 *
 * @example
 * const sj = new SimpleJWT({ signingKey, users, sequelize: new Sequelize('sqlite:app.sqlite3') });
 */
export interface SequelizeInstance {
  /** The dialect's name: `'sqlite'`, `'postgres'`, `'mysql'`, `'mariadb'`… */
  getDialect(): string;
  /** Closes every connection of the pool. */
  close(): Promise<void>;
}
