/**
 * `passport-simplejwt/extend`: what code that extends the package imports
 * (a storage backend, a token class, a serializer, a view of one's own), as
 * jose keeps its building blocks apart from its API. An app needs only the
 * main entry; what neither entry exports is internal.
 *
 * - the settings' resolution and its constants (`resolveSettings`, the
 *   `DEFAULT_*` values the main entry's `DEFAULTS` gathers);
 * - the token backend, the services and the `TokenHost` a token class is bound to;
 * - the storage interface (`AppStorage`, `BlacklistApp`, `FamilyApp`,
 *   `StoredToken`, …) that `sj.useApps()` installs;
 * - the serializers' base class and field parsers, the login throttle, the
 *   request helpers (`parseAuthHeader`, `resolveCookieMode`, `renderError`,
 *   `failClosed`).
 *
 * @example
 * import type { AppStorage, StoredToken } from 'passport-simplejwt/extend';
 */
export { failClosed } from './storage/fail-closed';
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
export type { ResolvedLoginThrottle } from './settings';
export { LoginThrottle, LOGIN_THROTTLE_TABLE, type LoginAttempt, type LoginTarpit } from './services/login-throttle';
export { parseDuration } from './duration';
export { TokenBackend, MIN_HMAC_SECRET_BYTES, type KeyResolver, type PublicJwk, type TokenBackendOptions } from './backend';
export { SIGNATURE_FAILURE_WARNING_INTERVAL_MS } from './backend/signature-failures';
export { JWKS_CACHE_MAX_AGE, JWKS_COOLDOWN, JWKS_TIMEOUT_MS } from './backend/jwks';
export type { TokenHost, TokenRevocation, RevocationChecks, TokenChecks, CheckOptions, TokenUserPolicy } from './tokens/token';
export type { BlacklistMethods, BlacklistableToken, WithBlacklist } from './tokens/blacklist-mixin';
export type { Revocation } from './services/revocation';
export type { UserPolicy, UserRefusal, ActiveRule } from './services/user-policy';
export type { TokenValidation } from './services/token-validation';
export { parseAuthHeader } from './http/auth-header';
export {
  resolveCookieMode,
  DEFAULT_ACCESS_COOKIE,
  DEFAULT_REFRESH_COOKIE,
  DEFAULT_SLIDING_COOKIE,
  DEFAULT_CSRF_COOKIE,
  DEFAULT_CSRF_HEADER,
  type ResolvedCookieMode,
} from './http/cookie-mode';
export { renderError } from './http/error-handler';
export { DEFAULT_LOGGER } from './logger';
export { DEFAULT_REDIS_COMMAND_TIMEOUT_MS } from './storage/redis-cache';
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
} from './types/apps';
export type { AppStorage, AppsHost, StorageProvider, FailureCounter, FailureCounterOptions } from './storage';
export { WWW_AUTHENTICATE, type TokenClassMessage } from './errors';

// ---- serializers and views: the building blocks of one's own -------------------------
export { Serializer, type SerializerClass, type SerializerSettingName, type SerializerHost, type TokenSerializer } from './serializers/serializer';
export type { BoundTokenClasses } from './serializers/token-class';
export { parseFields, parseCharField, FIELD_MESSAGES, NON_FIELD_ERRORS, type FieldSpec, type FieldValues } from './serializers/fields';
export { FAMILY_BLACKLISTED } from './serializers/token-family-blacklist';
export { SESSION_TOUCH_INTERVAL, SESSION_USER_AGENT_MAX } from './settings';
