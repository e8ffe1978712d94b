import type { TokenState } from './types/apps';
import type { Logger } from './logger';

/**
 * Every error the package raises. Each class has a stable `code` (the `code`
 * of the JSON body it renders as) and an HTTP `status`; match on the class or
 * the code, never on the message.
 */

/** Codes of the JSON bodies this package renders. */
export type ErrorCode =
  | 'token_not_valid'
  | 'token_backend_error'
  | 'authentication_failed'
  | 'not_authenticated'
  | 'bad_authorization_header'
  | 'no_active_account'
  | 'password_changed'
  | 'user_not_found'
  | 'user_inactive'
  | 'token_family_not_configured'
  | 'service_unavailable'
  | 'server_error'
  | 'invalid'
  | 'parse_error'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'method_not_allowed'
  | 'throttled'
  | 'csrf_failed'
  | 'not_found';

/** Base class of all errors of this package. */
export class SimpleJWTError extends Error {
  /** Stable machine-readable code. */
  code: ErrorCode;
  /** HTTP status this error renders as. */
  status: number;

  /** `cause` (ES2022) is the error this one wraps, when it wraps one. */
  constructor(message: string, code: ErrorCode, status: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }

  /**
   * The underlying error: the same as `cause`.
   *
   * @deprecated Read the standard `cause` property instead; `inner` will be removed in 1.0.
   */
  get inner(): unknown {
    return this.cause;
  }
}

// ---- token layer (Simple JWT's tokens/exceptions) -------------------------

/** A token failed a check. Rendered by the views as 401 `token_not_valid`. */
export class TokenError extends SimpleJWTError {
  constructor(message = 'Token is invalid', cause?: unknown) {
    super(message, 'token_not_valid', 401, cause);
  }
}

/** The token's `exp` has passed. */
export class ExpiredTokenError extends TokenError {
  constructor(message = 'Token is expired', cause?: unknown) {
    super(message, cause);
  }
}

/**
 * A blacklisted refresh token was presented (rotation reuse). `state` is
 * what storage answered for it when the check read it (the rotation that
 * consumed it, for the reuse interval); undefined when none was read.
 */
export class RefreshTokenBlacklistedError extends TokenError {
  readonly state: TokenState | undefined;

  constructor(message = 'Token is blacklisted', cause?: unknown, state?: TokenState) {
    super(message, cause);
    this.state = state;
  }
}

/** The backend could not sign or verify a token. */
export class TokenBackendError extends SimpleJWTError {
  constructor(message = 'Token is invalid', cause?: unknown) {
    super(message, 'token_backend_error', 401, cause);
  }
}

/** The backend found the signature valid but the token expired. */
export class TokenBackendExpiredToken extends TokenBackendError {
  constructor(message = 'Token is expired', cause?: unknown) {
    super(message, cause);
  }
}

// ---- HTTP layer (Django REST Framework's APIException family) -------------

/** One entry of `messages`: why one of the `authTokenClasses` refused the token. */
export interface TokenClassMessage {
  token_class: string;
  token_type: string | null;
  message: string;
}

/** An error with a `detail` and the JSON body and headers to answer with. */
export class APIError extends SimpleJWTError {
  /** Human-readable detail, the body's `detail`. */
  detail: string;
  /** Extra response headers. */
  headers: Record<string, string> = {};

  constructor(detail: string, code: ErrorCode, status: number, cause?: unknown) {
    super(detail, code, status, cause);
    this.detail = detail;
  }

  /** The JSON body, as Django REST Framework renders it. */
  toJSON(): Record<string, unknown> {
    return { detail: this.detail, code: this.code };
  }
}

/** The value of `WWW-Authenticate` on every 401 with the default `authHeaderTypes`. */
export const WWW_AUTHENTICATE = 'Bearer realm="api"';

/**
 * The challenge of a 401 as Simple JWT builds it: the first accepted scheme
 * and the realm (`JWT realm="api"` with `authHeaderTypes: ['JWT']`).
 */
export function challengeFor(authHeaderTypes: readonly string[], realm = 'api'): string {
  return `${authHeaderTypes[0] ?? 'Bearer'} realm="${realm}"`;
}

/** Gives an error that carries a challenge (a 401) the instance's own. */
export function withChallenge<E>(err: E, challenge: string): E {
  if (err instanceof APIError && err.headers['WWW-Authenticate'] !== undefined) err.headers['WWW-Authenticate'] = challenge;
  return err;
}

/** 401: credentials or token refused. */
export class AuthenticationFailed extends APIError {
  constructor(detail = 'Incorrect authentication credentials.', code: ErrorCode = 'authentication_failed', cause?: unknown) {
    super(detail, code, 401, cause);
    this.headers['WWW-Authenticate'] = WWW_AUTHENTICATE;
  }
}

/** 401 `token_not_valid`, optionally with the per-class `messages`. */
export class InvalidToken extends AuthenticationFailed {
  messages?: TokenClassMessage[];

  constructor(detail = 'Token is invalid or expired', messages?: TokenClassMessage[], cause?: unknown) {
    super(detail, 'token_not_valid', cause);
    if (messages) this.messages = messages;
  }

  override toJSON(): Record<string, unknown> {
    const body = super.toJSON();
    if (this.messages) body.messages = this.messages;
    return body;
  }
}

/** 401: a protected route was called without credentials. */
export class NotAuthenticated extends APIError {
  constructor(detail = 'Authentication credentials were not provided.') {
    super(detail, 'not_authenticated', 401);
    this.headers['WWW-Authenticate'] = WWW_AUTHENTICATE;
  }
}

/** 501: the token family app is off. */
export class TokenFamilyNotConfigured extends APIError {
  constructor(detail = 'Token family functionality is not enabled or available. Please check your configuration.') {
    super(detail, 'token_family_not_configured', 501);
  }
}

/** 503: the database or cache failed; nothing was accepted (fail closed). */
export class ServiceUnavailable extends APIError {
  constructor(detail = 'Service temporarily unavailable, try again later.', cause?: unknown) {
    super(detail, 'service_unavailable', 503, cause);
  }
}

/**
 * 500: something unexpected failed (a bug in the app's hooks or store or in
 * this package, tables that were never migrated, a misconfiguration found
 * late). The views and `jwtAuth()` pass it to Express's `next(err)` and the
 * strategies to Passport's `error()`, so the app's own error middleware sees
 * it; `errorHandler()` answers `{"detail": "A server error occurred.", "code":
 * "server_error"}` and logs it with its `cause` chain. `message` says what
 * went wrong (for the log), `detail` never does (for the client).
 *
 * @example
 * app.use((err, req, res, next) => {
 *   if (err instanceof ServerError) report(err.cause);
 *   next(err);
 * });
 */
export class ServerError extends APIError {
  /** Where `errorHandler()` logs this error: the `logger` of the instance that raised it (default `console`). */
  declare logger?: Logger;

  constructor(message: string, cause?: unknown) {
    super('A server error occurred.', 'server_error', 500, cause);
    this.message = `passport-simplejwt: ${message}`;
  }
}

/**
 * 429: too many failed logins for one username or from one address
 * (`loginThrottle`); Django REST Framework's `Throttled`, with `Retry-After`.
 */
export class Throttled extends APIError {
  /** Seconds until a login may be tried again (the `Retry-After` header). */
  readonly wait: number;

  constructor(wait: number, inner?: unknown) {
    super(`Request was throttled. Expected available in ${wait} seconds.`, 'throttled', 429, inner);
    this.wait = wait;
    this.headers['Retry-After'] = String(wait);
  }
}

/** 400 with Django REST Framework's field-error body: `{"field": ["message"]}`. */
export class ValidationError extends APIError {
  /** Field name (or `non_field_errors`) to its messages. */
  fields: Record<string, string[]>;

  constructor(fields: Record<string, string[]>) {
    const first = Object.entries(fields)[0];
    super(first ? `${first[0]}: ${first[1].join(' ')}` : 'Invalid input.', 'invalid', 400);
    this.fields = fields;
  }

  override toJSON(): Record<string, unknown> {
    return { ...this.fields };
  }
}

/**
 * 403: a request authenticated by a cookie failed the CSRF check (Django
 * REST Framework's `CSRF Failed: <reason>`).
 */
export class CsrfFailed extends APIError {
  /** Why, as Django words it ("CSRF token missing."). */
  readonly reason: string;

  constructor(reason: string) {
    super(`CSRF Failed: ${reason}`, 'csrf_failed', 403);
    this.reason = reason;
  }
}
