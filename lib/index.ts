/**
 * passport-simplejwt: JSON Web Token authentication for Express + Passport,
 * the Node counterpart of Django REST Framework's Simple JWT.
 */
import { useDefaultStorage } from './simplejwt';
import type * as SequelizeApps from '../models/sequelize-apps';

// The entry wires the layers: the Sequelize storage behind the `sequelize` setting and
// `sj.migrate()`, loaded on first use, so that importing the package loads no Sequelize
// module and an app without `sequelize` installed runs (SPEC 1).
useDefaultStorage(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  () => (require('../models/sequelize-apps') as typeof SequelizeApps).sequelizeStorage,
);

export { SimpleJWT, failClosed } from './simplejwt';
export {
  resolveSettings,
  normaliseHeaderName,
  ALGORITHMS,
  MASKED_PASSWORD,
  DEFAULT_ACCESS_TOKEN_LIFETIME,
  DEFAULT_REFRESH_TOKEN_LIFETIME,
  DEFAULT_SLIDING_TOKEN_LIFETIME,
  DEFAULT_SLIDING_TOKEN_REFRESH_LIFETIME,
  DEFAULT_TOKEN_FAMILY_LIFETIME,
  DEFAULT_CACHE_TTL,
  DEFAULT_STORAGE_TIMEOUT,
  DEFAULT_LOGIN_CONCURRENCY,
  DEFAULT_LOGIN_THROTTLE_FAILURES,
  DEFAULT_LOGIN_THROTTLE_PER_ADDRESS,
  DEFAULT_LOGIN_THROTTLE_WINDOW,
  DEFAULT_LOGIN_THROTTLE_KEY_PREFIX,
} from './settings';
export type {
  SimpleJWTOptions,
  ResolvedSettings,
  Algorithm,
  KeyInput,
  KeyWithId,
  KeySettings,
  Apps,
  AuthTokenClass,
  LoginThrottleOptions,
  LoginThrottleStore,
  OutstandingTokenStorage,
  ResolvedLoginThrottle,
  SequelizeInstance,
  IsRevoked,
  PresentedToken,
} from './settings';
export { LoginThrottle, LOGIN_THROTTLE_TABLE, type LoginAttempt, type LoginTarpit } from './login-throttle';
export { parseDuration, type Duration } from './duration';
export { TokenBackend, MIN_HMAC_SECRET_BYTES, type Payload, type KeyResolver, type JwtHeader, type PublicJwk, type TokenBackendOptions } from './backend';
export { SIGNATURE_FAILURE_WARNING_INTERVAL_MS } from './signature-failures';
export { JWKS_CACHE_MAX_AGE, JWKS_COOLDOWN, JWKS_TIMEOUT_MS } from './jwks';
export {
  Token,
  type TokenOptions,
  type TokenClass,
  type TokenHost,
  type TokenRevocation,
  type RevocationChecks,
  type TokenChecks,
  type CheckOptions,
  type TokenUserPolicy,
} from './tokens/token';
export type { BlacklistMethods, BlacklistableToken, WithBlacklist } from './tokens/blacklist-mixin';
export type { Revocation } from './services/revocation';
export type { UserPolicy, UserRefusal, ActiveRule } from './services/user-policy';
export type { TokenValidation } from './services/token-validation';
export type { Sessions, Session } from './services/sessions';
export { SESSION_TOUCH_INTERVAL, SESSION_USER_AGENT_MAX } from './settings';
export { AccessToken } from './tokens/access-token';
export { RefreshToken } from './tokens/refresh-token';
export { SlidingToken } from './tokens/sliding-token';
export { UntypedToken } from './tokens/untyped-token';
export { TokenUser } from './token-user';
export type { UserStore } from './user-store';
export { JWTStrategy } from './strategies/jwt-strategy';
export { JWTStatelessStrategy, JWTTokenUserStrategy } from './strategies/stateless-strategy';
export type { JWTStrategyOptions, JWTAuthInfo } from './strategies/base-strategy';
export { parseAuthHeader } from './auth-header';
export { ExtractJwt, type JwtFromRequest } from './extract-jwt';
export {
  resolveCookieMode,
  DEFAULT_ACCESS_COOKIE,
  DEFAULT_REFRESH_COOKIE,
  DEFAULT_SLIDING_COOKIE,
  DEFAULT_CSRF_COOKIE,
  DEFAULT_CSRF_HEADER,
  type CookieModeOptions,
  type ResolvedCookieMode,
} from './cookie-mode';
export { errorHandler, renderError, type ErrorHandlerOptions } from './error-handler';
export { DEFAULT_LOGGER, type Logger } from './logger';
export { jwtAuth, type JwtAuthOptions } from './jwt-auth';
export type { BlacklistCache } from './cache/blacklist-cache';
export { MemoryBlacklistCache } from './cache/memory-cache';
export { RedisBlacklistCache, DEFAULT_REDIS_COMMAND_TIMEOUT_MS, type RedisClientLike, type RedisBlacklistCacheOptions } from './cache/redis-cache';
export type {
  BlacklistApp,
  FamilyApp,
  StoredToken,
  OutstandingTokenRecord,
  BlacklistedTokenRecord,
  BlacklistedTokenFamilyRecord,
  TokenRotationRecord,
  SessionApp,
  SessionRecord,
  SessionStart,
} from './apps';
export type { AppStorage, AppsHost, StorageProvider, TokenState } from './storage';

// ---- persistence: sequelizeUserStore and the models, migrations and flush commands of the
// apps are in 'passport-simplejwt/sequelize' (lib/sequelize.ts): they load Sequelize or name its types.

export {
  SimpleJWTError,
  TokenError,
  ExpiredTokenError,
  RefreshTokenBlacklistedError,
  TokenBackendError,
  TokenBackendExpiredToken,
  APIError,
  AuthenticationFailed,
  InvalidToken,
  NotAuthenticated,
  TokenFamilyNotConfigured,
  ServiceUnavailable,
  Throttled,
  ServerError,
  ValidationError,
  CsrfFailed,
  WWW_AUTHENTICATE,
  type ErrorCode,
  type TokenClassMessage,
} from './errors';

// ---- serializers (Simple JWT's) ---------------------------------------------
export {
  Serializer,
  type SerializerClass,
  type SerializerSettingName,
  type SerializerContext,
  type SerializerHost,
  type TokenSerializer,
} from './serializers/serializer';
export type { BoundTokenClasses } from './serializers/token-class';
export { parseFields, parseCharField, FIELD_MESSAGES, NON_FIELD_ERRORS, type FieldSpec, type FieldValues } from './serializers/fields';
export { TokenObtainSerializer } from './serializers/token-obtain';
export { TokenObtainPairSerializer, type TokenPairBody } from './serializers/token-obtain-pair';
export { TokenObtainSlidingSerializer, type SlidingTokenBody } from './serializers/token-obtain-sliding';
export { TokenRefreshSerializer, type TokenRefreshBody } from './serializers/token-refresh';
export { TokenRefreshSlidingSerializer } from './serializers/token-refresh-sliding';
export { TokenVerifySerializer } from './serializers/token-verify';
export { TokenBlacklistSerializer } from './serializers/token-blacklist';
export { TokenLogoutSerializer } from './serializers/token-logout';
export { TokenFamilyBlacklistSerializer, FAMILY_BLACKLISTED, type TokenFamilyBlacklistBody } from './serializers/token-family-blacklist';

// ---- views: router factories and handlers (Simple JWT's) -------------------
export {
  tokenObtainPairRouter,
  tokenObtainPair,
  tokenRefreshRouter,
  tokenRefresh,
  tokenObtainSlidingRouter,
  tokenObtainSliding,
  tokenRefreshSlidingRouter,
  tokenRefreshSliding,
  tokenVerifyRouter,
  tokenVerify,
  tokenBlacklistRouter,
  tokenBlacklist,
  tokenFamilyBlacklistRouter,
  tokenFamilyBlacklist,
  tokenLogoutRouter,
  tokenLogout,
  type TokenViewRouterFactory,
  type TokenViewHandlerFactory,
} from '../routes/views';
export { tokenRouter, type TokenRouterOptions } from '../routes/token-router';
export { jwksRouter, DEFAULT_JWKS_PATH, DEFAULT_JWKS_MAX_AGE, type JwksRouterOptions } from '../routes/jwks';
export { ALLOWED_METHODS, type TokenViewOptions } from '../routes/view';
export { DEFAULT_BODY_LIMIT_BYTES } from '../routes/body';
export { ParseError, UnsupportedMediaType, PayloadTooLarge, MethodNotAllowed, NotFound } from '../routes/http-errors';
export { sessionsRouter, SESSIONS_ALLOWED_METHODS } from '../routes/sessions';
