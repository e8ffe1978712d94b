import type { ErrorRequestHandler, Response } from 'express';
import { APIError, InvalidToken, NotAuthenticated, ServerError, SimpleJWTError, TokenBackendError, TokenError, withChallenge } from './errors';
import { DEFAULT_LOGGER, describeError, type Logger } from './logger';

/** A package error as the HTTP error it renders as: token and backend errors become InvalidToken with their message. */
export function toAPIError(err: SimpleJWTError): APIError {
  if (err instanceof APIError) return err;
  return new InvalidToken(err instanceof TokenError || err instanceof TokenBackendError ? err.message : undefined, undefined, err);
}

/** The status, headers and JSON body a package error answers with. */
export function renderError(err: SimpleJWTError): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const api = toAPIError(err);
  return { status: api.status, headers: api.headers, body: api.toJSON() };
}

/** Writes a package error as its JSON response. */
export function sendError(res: Response, err: SimpleJWTError): void {
  const { status, headers, body } = renderError(err);
  res.status(status).set(headers).json(body);
}

/** Options of {@link errorHandler}. */
export interface ErrorHandlerOptions {
  /** Where 500s are logged. Default: the `logger` setting of the instance that raised the error (itself `console` by default). */
  logger?: Logger;
}

/** Passport's error for `failWithError: true` when no strategy authenticated the request. */
function isPassportAuthenticationError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AuthenticationError' && (err as { status?: unknown }).status === 401;
}

/**
 * Express error middleware that renders the package's errors (401, 501, 503…)
 * as Simple JWT's JSON bodies and passes every other error on. A 500
 * `ServerError` (something unexpected behind a view, a strategy or
 * `jwtAuth()`) is logged with its whole `cause` chain through the `logger`
 * setting and answered `{"detail": "A server error occurred.", "code":
 * "server_error"}`, never with a stack trace. With Passport's
 * `failWithError: true`, a request without credentials is rendered as the
 * 401 `not_authenticated` body too.
 *
 * @example
 * app.get('/api/me/', passport.authenticate('passport-simplejwt', { session: false, failWithError: true }), handler);
 * app.use(errorHandler());
 */
export function errorHandler(options: ErrorHandlerOptions = {}): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof ServerError) (options.logger ?? err.logger ?? DEFAULT_LOGGER).error(describeError(err));
    if (err instanceof SimpleJWTError) return sendError(res, err);
    if (isPassportAuthenticationError(err)) {
      // Passport already set the strategy's challenge on the response: keep it.
      // (an array: one challenge per strategy of the chain).
      const set = res.getHeader('WWW-Authenticate');
      const challenge = Array.isArray(set) ? set.join(', ') : set;
      return sendError(res, typeof challenge === 'string' && challenge !== '' ? withChallenge(new NotAuthenticated(), challenge) : new NotAuthenticated());
    }
    next(err);
  };
}
