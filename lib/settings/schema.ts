// The settings table, as Simple JWT's DEFAULTS + IMPORT_STRINGS + REMOVED_SETTINGS:
// every setting once, with its default and its parser. TypeScript holds it to
// `SimpleJWTOptions` (a setting missing here, or one too many, does not
// compile); `ResolvedSettings` and the list of known names derive from it.
import { parseLoginThrottle } from './login-throttle';
import {
  ALGORITHMS,
  DEFAULT_ACCESS_TOKEN_LIFETIME,
  DEFAULT_CACHE_TTL,
  DEFAULT_LOGIN_CONCURRENCY,
  DEFAULT_REFRESH_TOKEN_LIFETIME,
  DEFAULT_SLIDING_TOKEN_LIFETIME,
  DEFAULT_SLIDING_TOKEN_REFRESH_LIFETIME,
  DEFAULT_STORAGE_TIMEOUT,
  DEFAULT_TOKEN_FAMILY_LIFETIME,
  type Algorithm,
  type Apps,
  type OutstandingTokenStorage,
  type ResolvedLoginThrottle,
  type SimpleJWTOptions,
} from './options';
import {
  boolean,
  fail,
  functionOrNull,
  hasMethods,
  isFunctionOrNull,
  nonEmptyString,
  nonEmptyStringOrNull,
  normaliseHeaderName,
  nullIsDefault,
  positiveInteger,
  positiveSeconds,
  seconds,
  secondsOrNull,
  serializerClassOrNull,
  type Check,
  type Parser,
} from './parse';

/** A setting resolved into `sj.settings`: its value when absent, and the parser of a given one. */
export interface ResolvedSetting<R> {
  readonly default: R;
  readonly parse: Parser<R>;
}

/**
 * A setting the instance uses as given (a store, a hook, a class of the app):
 * only its shape is checked here; `null` when another layer checks it.
 */
export interface GivenSetting {
  readonly check: Check | null;
}

function resolved<R>(fallback: R, parse: Parser<R>): ResolvedSetting<R> {
  return { default: fallback, parse };
}

function given(check: Check | null): GivenSetting {
  return { check };
}

/** `apps`: the two flags of Django's `INSTALLED_APPS`, nothing else. */
const apps: Parser<Required<Apps>> = (value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail("'apps' must be an object such as { blacklist: true }");
  const flags = value as Record<string, unknown>;
  for (const key of Object.keys(flags)) {
    if (key !== 'blacklist' && key !== 'tokenFamily') fail(`unknown app 'apps.${key}' (known: blacklist, tokenFamily)`);
  }
  return {
    blacklist: flags.blacklist === undefined ? false : boolean(flags.blacklist, 'apps.blacklist'),
    tokenFamily: flags.tokenFamily === undefined ? false : boolean(flags.tokenFamily, 'apps.tokenFamily'),
  };
};

const algorithm: Parser<Algorithm> = (value) => {
  if (typeof value !== 'string' || !(ALGORITHMS as readonly string[]).includes(value)) fail(`'algorithm': Unrecognized algorithm type '${String(value)}'`);
  return value as Algorithm;
};

const audience: Parser<string | string[] | null> = (value) => {
  if (value !== null && typeof value !== 'string' && !(Array.isArray(value) && value.length > 0 && value.every((a) => typeof a === 'string'))) {
    fail("'audience' must be a string, a non-empty array of strings, or null");
  }
  return value as string | string[] | null;
};

const jwkUrl: Parser<string | null> = (value) => {
  // Which algorithm and scheme it may use are rules between settings (RULES).
  if (value !== null && (typeof value !== 'string' || !/^https?:\/\/[^/]/.test(value))) fail("'jwkUrl' must be an http(s) URL or null");
  return value as string | null;
};

const authHeaderTypes: Parser<string[]> = (value) => {
  const list: unknown = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((t) => typeof t === 'string' && /^\S+$/.test(t))) {
    fail("'authHeaderTypes' must be a non-empty string or array of strings without spaces");
  }
  return list as string[];
};

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** An HTTP header name, lower-cased as Node stores it in `req.headers`. */
const authHeaderName: Parser<string> = (value, name) => {
  const given = nonEmptyString(value, name);
  const normalised = normaliseHeaderName(given);
  if (!HEADER_NAME.test(normalised)) fail(`'authHeaderName' is not a valid HTTP header name: '${given}'`);
  return normalised;
};

const loginThrottle: Parser<ResolvedLoginThrottle | null> = (value) => parseLoginThrottle(value);

const userStore: Check = (value) => {
  if (!hasMethods(value, ['findById', 'authenticate'])) fail("'users' must be a UserStore with findById() and authenticate()");
};

const blacklistCache: Check = (value) => {
  if (!hasMethods(value, ['has', 'set', 'delete'])) fail("'cache' must have has(), set() and delete()");
};

const logger: Check = (value) => {
  if (!value || typeof value !== 'object' || !hasMethods(value, ['error', 'warn']))
    fail("'logger' must be an object with error() and warn() (console, pino, winston…)");
};

const maxSessionsPerUser: Parser<number | null> = (value, name) => (value === null ? null : positiveInteger(value, name));

const outstandingTokenStorage: Parser<OutstandingTokenStorage> = (value) => {
  if (value !== 'raw' && value !== 'hash') fail(`'outstandingTokenStorage' must be 'raw' or 'hash', not ${JSON.stringify(value) ?? String(value)}`);
  return value;
};

// Defaults shared by every instance are frozen: no instance can change another's.
const DEFAULT_APPS: Required<Apps> = Object.freeze({ blacklist: false, tokenFamily: false });
const DEFAULT_AUTH_HEADER_TYPES = Object.freeze(['Bearer']) as string[];

type JsonEncoder = (this: unknown, key: string, value: unknown) => unknown;

/** Every setting of `new SimpleJWT(options)`, once; its meaning is documented on `SimpleJWTOptions`. */
export const SETTINGS = {
  // Checked with the algorithm and turned into KeyObjects by prepareKeys (./keys.ts), which the token backend calls.
  signingKey: given(null),
  verifyingKey: given(null),
  verifyingKeys: given(null),
  users: given(userStore),
  // Checked with the apps that need it (RULES).
  sequelize: given(null),
  apps: resolved(DEFAULT_APPS, nullIsDefault(apps, DEFAULT_APPS)),
  accessTokenLifetime: resolved(DEFAULT_ACCESS_TOKEN_LIFETIME, seconds),
  refreshTokenLifetime: resolved(DEFAULT_REFRESH_TOKEN_LIFETIME, seconds),
  rotateRefreshTokens: resolved(false, boolean),
  blacklistAfterRotation: resolved(false, boolean),
  updateLastLogin: resolved(false, boolean),
  tokenFamilyEnabled: resolved(false, boolean),
  tokenFamilyLifetime: resolved(DEFAULT_TOKEN_FAMILY_LIFETIME, secondsOrNull),
  tokenFamilyCheckOnAccess: resolved(false, boolean),
  tokenFamilyBlacklistOnReuse: resolved(false, boolean),
  refreshTokenReuseInterval: resolved(0, seconds),
  isRevoked: given(isFunctionOrNull),
  algorithm: resolved<Algorithm>('HS256', nullIsDefault(algorithm, 'HS256')),
  audience: resolved(null, audience),
  issuer: resolved(null, nonEmptyStringOrNull),
  jsonEncoder: resolved(null, functionOrNull<JsonEncoder>()),
  jwkUrl: resolved(null, jwkUrl),
  leeway: resolved(0, seconds),
  authHeaderTypes: resolved(DEFAULT_AUTH_HEADER_TYPES, nullIsDefault(authHeaderTypes, DEFAULT_AUTH_HEADER_TYPES)),
  authHeaderName: resolved('authorization', authHeaderName),
  userIdField: resolved('id', nonEmptyString),
  userIdClaim: resolved('user_id', nonEmptyString),
  usernameField: resolved('username', nonEmptyString),
  userAuthenticationRule: given(isFunctionOrNull),
  onLoginSuccess: given(isFunctionOrNull),
  onLoginFailed: given(isFunctionOrNull),
  // Bound to the instance, and checked there: token classes sit above settings.
  authTokenClasses: given(null),
  tokenTypeClaim: resolved('token_type', nonEmptyStringOrNull),
  tokenUserClass: given(isFunctionOrNull),
  jtiClaim: resolved('jti', nonEmptyStringOrNull),
  tokenFamilyClaim: resolved('family_id', nonEmptyString),
  tokenFamilyExpirationClaim: resolved('family_exp', nonEmptyString),
  slidingTokenRefreshExpClaim: resolved('refresh_exp', nonEmptyString),
  slidingTokenLifetime: resolved(DEFAULT_SLIDING_TOKEN_LIFETIME, seconds),
  slidingTokenRefreshLifetime: resolved(DEFAULT_SLIDING_TOKEN_REFRESH_LIFETIME, seconds),
  tokenObtainSerializer: given(serializerClassOrNull),
  tokenObtainPairSerializer: given(serializerClassOrNull),
  tokenObtainSlidingSerializer: given(serializerClassOrNull),
  tokenRefreshSerializer: given(serializerClassOrNull),
  tokenRefreshSlidingSerializer: given(serializerClassOrNull),
  tokenVerifySerializer: given(serializerClassOrNull),
  tokenBlacklistSerializer: given(serializerClassOrNull),
  tokenFamilyBlacklistSerializer: given(serializerClassOrNull),
  checkRevokeToken: resolved(false, boolean),
  revokeTokenClaim: resolved('hash_password', nonEmptyString),
  checkUserIsActive: resolved(true, boolean),
  cache: given(blacklistCache),
  cacheBlacklistedRefreshTokens: resolved(false, boolean),
  cacheBlacklistedFamilies: resolved(false, boolean),
  cacheTtlBlacklistedRefreshTokens: resolved(DEFAULT_CACHE_TTL, seconds),
  cacheTtlBlacklistedFamilies: resolved(DEFAULT_CACHE_TTL, seconds),
  cacheKeyPrefixBlacklistedRefreshTokens: resolved('sjwt_brt', nonEmptyString),
  cacheKeyPrefixBlacklistedFamilies: resolved('sjwt_btf', nonEmptyString),
  logger: given(logger),
  storageTimeout: resolved(DEFAULT_STORAGE_TIMEOUT, positiveSeconds),
  loginThrottle: resolved(null, loginThrottle),
  loginConcurrency: resolved(DEFAULT_LOGIN_CONCURRENCY, positiveInteger),
  now: given(isFunctionOrNull),
  maxSessionsPerUser: resolved(null, maxSessionsPerUser),
  outstandingTokenStorage: resolved<OutstandingTokenStorage>('raw', outstandingTokenStorage),
} satisfies { readonly [K in keyof SimpleJWTOptions]-?: ResolvedSetting<unknown> | GivenSetting };

type Table = typeof SETTINGS;

/** The names of the settings resolved into `sj.settings`. */
type ResolvedName = { [K in keyof Table]: Table[K] extends ResolvedSetting<unknown> ? K : never }[keyof Table];

/**
 * Settings after defaults and parsing (`sj.settings`): every duration in
 * seconds, `authHeaderName` lower-cased, `authHeaderTypes` a list,
 * `loginThrottle` `null` when off. Derived from the settings table; the
 * settings used as given (keys, stores, hooks, classes) are not in it.
 */
export type ResolvedSettings = Resolved<ResolvedName>;

// Mapped over names constrained to `keyof SimpleJWTOptions`, as `Pick` is: an editor that
// follows a mapped member to its source (TypeScript 5's) shows the option's TSDoc.
type Resolved<K extends keyof SimpleJWTOptions> = {
  -readonly [P in K]-?: Table[P] extends ResolvedSetting<infer R> ? R : never;
};

/** Every setting name the constructor accepts. */
export const KNOWN_SETTINGS: ReadonlySet<string> = new Set(Object.keys(SETTINGS));

/** Simple JWT settings that no longer exist, and what replaced them (never a current name: TypeScript checks). */
export const REMOVED_SETTINGS: Readonly<Record<string, string>> = {
  authHeaderType: "use 'authHeaderTypes'",
  authTokenClass: "use 'authTokenClasses'",
  secretKey: "use 'signingKey'",
  tokenBackendClass: 'the token backend is not pluggable',
} satisfies Record<string, string> & { readonly [K in keyof SimpleJWTOptions]?: never };

/** A rule between settings, run once every setting is parsed; throws naming the setting. */
export type Rule = (settings: ResolvedSettings, options: Readonly<Record<string, unknown>>) => void;

/** The hosts a `jwkUrl` may reach over plain `http://` (this machine). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The rules between settings, in the order they are checked: mostly settings
 * that would silently do less than they say (docs/settings.md, "Settings that are refused").
 */
export const RULES: readonly Rule[] = [
  function appsNeedSequelize({ apps }, { sequelize }) {
    if ((apps.blacklist || apps.tokenFamily) && (sequelize === undefined || sequelize === null)) {
      fail("'sequelize' is required when an app ('apps.blacklist' or 'apps.tokenFamily') is enabled");
    }
    if (
      sequelize !== undefined &&
      (sequelize === null || typeof sequelize !== 'object' || typeof (sequelize as { getDialect?: unknown }).getDialect !== 'function')
    ) {
      fail("'sequelize' must be a Sequelize instance");
    }
  },
  function jwkUrlNeedsAsymmetricKeysOverHttps({ jwkUrl, algorithm }) {
    if (jwkUrl === null) return;
    if (algorithm.startsWith('HS')) fail(`'jwkUrl' needs an asymmetric 'algorithm' (RS*, ES* or PS*), not ${algorithm}`);
    // Keys fetched over plain HTTP can be swapped by anyone on the path: they would accept forged tokens.
    if (jwkUrl.startsWith('http:') && !LOOPBACK_HOSTS.has(URL.canParse(jwkUrl) ? new URL(jwkUrl).hostname : '')) {
      fail(`'jwkUrl' must use https:// (plain http:// is accepted only for localhost and 127.0.0.1): ${jwkUrl}`);
    }
  },
  function reuseIntervalNeedsRotationAndBlacklist(s) {
    if (s.refreshTokenReuseInterval <= 0) return;
    // The interval answers a consumed token's recorded successor: without rotation and its blacklist there is none.
    if (!s.rotateRefreshTokens) fail("'refreshTokenReuseInterval' needs 'rotateRefreshTokens: true'");
    if (!s.blacklistAfterRotation) fail("'refreshTokenReuseInterval' needs 'blacklistAfterRotation: true'");
    if (!s.apps.blacklist) fail("'refreshTokenReuseInterval' needs the blacklist app ('apps.blacklist: true')");
  },
  function blacklistAfterRotationNeedsBlacklist(s) {
    if (s.blacklistAfterRotation && !s.apps.blacklist) {
      fail("'blacklistAfterRotation' needs the blacklist app ('apps.blacklist: true'): without it a used refresh token could be used again");
    }
  },
  function familySettingsNeedFamilyApp(s) {
    if (s.apps.tokenFamily) return;
    for (const name of ['tokenFamilyEnabled', 'tokenFamilyCheckOnAccess', 'tokenFamilyBlacklistOnReuse'] as const) {
      if (s[name]) fail(`'${name}' needs the token family app ('apps.tokenFamily: true')`);
    }
  },
  function sessionCapNeedsFamilies(s) {
    if (s.maxSessionsPerUser !== null && !(s.tokenFamilyEnabled && s.apps.tokenFamily)) {
      fail("'maxSessionsPerUser' needs token families ('tokenFamilyEnabled: true' and 'apps.tokenFamily: true'): a session is a token family");
    }
  },
  function hashedTokensRefuseReuseInterval(s) {
    // The interval's retry answers the successor read from the outstanding row's token column, which then holds only a hash.
    if (s.outstandingTokenStorage === 'hash' && s.refreshTokenReuseInterval > 0) {
      fail("'outstandingTokenStorage: 'hash'' cannot serve 'refreshTokenReuseInterval': the retry answers the successor token, which is then not stored");
    }
  },
  function databaseThrottleNeedsSequelize({ loginThrottle }, { sequelize }) {
    if (loginThrottle?.store === 'database' && sequelize === undefined) fail("'loginThrottle.store' 'database' needs the 'sequelize' setting");
  },
];
