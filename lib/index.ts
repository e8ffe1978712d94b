/**
 * passport-simplejwt: JSON Web Token authentication for Express + Passport,
 * the Node counterpart of Django REST Framework's Simple JWT.
 */
import {
  DEFAULT_ACCESS_COOKIE,
  DEFAULT_ACCESS_TOKEN_LIFETIME,
  DEFAULT_CACHE_TTL,
  DEFAULT_CSRF_COOKIE,
  DEFAULT_CSRF_HEADER,
  DEFAULT_LOGIN_CONCURRENCY,
  DEFAULT_LOGIN_THROTTLE_FAILURES,
  DEFAULT_LOGIN_THROTTLE_KEY_PREFIX,
  DEFAULT_LOGIN_THROTTLE_PER_ADDRESS,
  DEFAULT_LOGIN_THROTTLE_WINDOW,
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  DEFAULT_REFRESH_COOKIE,
  DEFAULT_REFRESH_TOKEN_LIFETIME,
  DEFAULT_SLIDING_COOKIE,
  DEFAULT_SLIDING_TOKEN_LIFETIME,
  DEFAULT_SLIDING_TOKEN_REFRESH_LIFETIME,
  DEFAULT_STORAGE_TIMEOUT,
  DEFAULT_TOKEN_FAMILY_LIFETIME,
} from './extend';
import { SimpleJWT as SimpleJWTCore } from './simplejwt';
import type { SimpleJWTOptions } from './settings';
import type { StorageProvider } from './storage';
import type * as SequelizeApps from '../models/sequelize-apps';
import { DEFAULT_BODY_LIMIT_BYTES } from '../routes/body';
import { DEFAULT_JWKS_MAX_AGE, DEFAULT_JWKS_PATH } from '../routes/jwks';

/** The Sequelize storage of `models/`, required only when an instance is given a `sequelize` (importing the package loads no Sequelize module). */
function sequelizeStorage(): StorageProvider {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../models/sequelize-apps') as typeof SequelizeApps).sequelizeStorage;
}

/**
 * One configuration of the package: settings, keys, token classes, and the
 * apps' storage (the Sequelize one of `models/` when `sequelize` is given).
 * Several instances can live in one process.
 *
 * @example
 * const sj = new SimpleJWT({ signingKey: process.env.JWT_SECRET!, users });
 * passport.use(new JWTStrategy(sj));
 * app.use('/api/token/', tokenRouter(sj));
 */
export class SimpleJWT<U = unknown> extends SimpleJWTCore<U> {
  /** @param options - the settings (`SimpleJWTOptions`; docs/settings.md lists each with its default). */
  constructor(options: SimpleJWTOptions<U>) {
    // The entry wires the layers: lib/ never imports models/, so the storage is handed in here.
    super(options, sequelizeStorage);
  }
}
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
  SequelizeInstance,
  IsRevoked,
  PresentedToken,
} from './settings';
export type { Duration } from './duration';
export type { Payload, JwtHeader } from './backend';
export { Token, type TokenOptions, type TokenClass } from './tokens/token';
export type { Sessions, Session } from './services/sessions';
export { AccessToken } from './tokens/access-token';
export { RefreshToken } from './tokens/refresh-token';
export { SlidingToken } from './tokens/sliding-token';
export { UntypedToken } from './tokens/untyped-token';
export { TokenUser } from './tokens/token-user';
export type { UserStore } from './types/user-store';
export type { TokenState } from './types/apps';
export { JWTStrategy } from './strategies/jwt-strategy';
export { JWTStatelessStrategy, JWTTokenUserStrategy } from './strategies/stateless-strategy';
export type { JWTStrategyOptions, JWTAuthInfo } from './strategies/base-strategy';
export { ExtractJwt, type JwtFromRequest } from './http/extract-jwt';
export type { CookieModeOptions } from './http/cookie-mode';
export { errorHandler, type ErrorHandlerOptions } from './http/error-handler';
export type { Logger } from './logger';
export { jwtAuth, type JwtAuthOptions } from './http/jwt-auth';
export type { BlacklistCache } from './types/blacklist-cache';
export { MemoryBlacklistCache } from './storage/memory-cache';
export { RedisBlacklistCache, type RedisClientLike, type RedisBlacklistCacheOptions } from './storage/redis-cache';

// ---- what extends the package (storage backends, the services, TokenHost, the serializers'
// base and field parsers, the DEFAULT_* constants) is in 'passport-simplejwt/extend' (lib/extend.ts).
// ---- persistence: sequelizeUserStore and the models, migrations and flush commands of the
// apps are in 'passport-simplejwt/sequelize' (models/index.ts): they load Sequelize or name its types.

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
  type ErrorCode,
} from './errors';

// ---- serializers (Simple JWT's) ---------------------------------------------
export type { SerializerContext } from './serializers/serializer';
export { TokenObtainSerializer } from './serializers/token-obtain';
export { TokenObtainPairSerializer, type TokenPairBody } from './serializers/token-obtain-pair';
export { TokenObtainSlidingSerializer, type SlidingTokenBody } from './serializers/token-obtain-sliding';
export { TokenRefreshSerializer, type TokenRefreshBody } from './serializers/token-refresh';
export { TokenRefreshSlidingSerializer } from './serializers/token-refresh-sliding';
export { TokenVerifySerializer } from './serializers/token-verify';
export { TokenBlacklistSerializer } from './serializers/token-blacklist';
export { TokenLogoutSerializer } from './serializers/token-logout';
export { TokenFamilyBlacklistSerializer, type TokenFamilyBlacklistBody } from './serializers/token-family-blacklist';

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
export { jwksRouter, type JwksRouterOptions } from '../routes/jwks';
export type { TokenViewOptions } from '../routes/view';
export { ParseError, UnsupportedMediaType, PayloadTooLarge, MethodNotAllowed, NotFound } from '../routes/http-errors';
export { sessionsRouter } from '../routes/sessions';

// ---- the defaults ------------------------------------------------------------
/**
 * The defaults, frozen: of the settings (durations in seconds, as
 * `sj.settings` holds them), of `cookieMode`, of `jwksRouter()`, the token
 * endpoints' body limit and `RedisBlacklistCache`'s command timeout.
 *
 * @example
 * DEFAULTS.accessTokenLifetime; // 300
 */
export const DEFAULTS = Object.freeze({
  accessTokenLifetime: DEFAULT_ACCESS_TOKEN_LIFETIME,
  refreshTokenLifetime: DEFAULT_REFRESH_TOKEN_LIFETIME,
  slidingTokenLifetime: DEFAULT_SLIDING_TOKEN_LIFETIME,
  slidingTokenRefreshLifetime: DEFAULT_SLIDING_TOKEN_REFRESH_LIFETIME,
  tokenFamilyLifetime: DEFAULT_TOKEN_FAMILY_LIFETIME,
  cacheTtlBlacklistedRefreshTokens: DEFAULT_CACHE_TTL,
  cacheTtlBlacklistedFamilies: DEFAULT_CACHE_TTL,
  storageTimeout: DEFAULT_STORAGE_TIMEOUT,
  loginConcurrency: DEFAULT_LOGIN_CONCURRENCY,
  loginThrottle: Object.freeze({
    failures: DEFAULT_LOGIN_THROTTLE_FAILURES,
    perAddress: DEFAULT_LOGIN_THROTTLE_PER_ADDRESS,
    window: DEFAULT_LOGIN_THROTTLE_WINDOW,
    keyPrefix: DEFAULT_LOGIN_THROTTLE_KEY_PREFIX,
  }),
  cookieMode: Object.freeze({
    accessCookie: DEFAULT_ACCESS_COOKIE,
    refreshCookie: DEFAULT_REFRESH_COOKIE,
    slidingCookie: DEFAULT_SLIDING_COOKIE,
    csrfCookie: DEFAULT_CSRF_COOKIE,
    csrfHeader: DEFAULT_CSRF_HEADER,
  }),
  jwksRouter: Object.freeze({ path: DEFAULT_JWKS_PATH, maxAge: DEFAULT_JWKS_MAX_AGE }),
  bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES,
  redisCommandTimeoutMs: DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
});
