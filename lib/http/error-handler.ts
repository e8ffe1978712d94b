import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Response } from 'express';
import { APIError, InvalidToken, NotAuthenticated, ServerError, SimpleJWTError, TokenBackendError, TokenError, withChallenge } from '../errors';
import { DEFAULT_LOGGER, describeError, type Logger } from '../logger';

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
  /**
   * Answer every error, not only the package's: any other error is logged
   * (through `logger`, default `console`) and answered
   * `500 {"detail": "A server error occurred.", "code": "server_error"}`;
   * an error that carries a 4xx `status` (http-errors, as `express.json()`
   * raises) keeps its status, with `{"detail": <its message>}` when it is
   * meant to be shown (`expose`). Default `false`: other errors go on to
   * `next(err)`, to the app's own error middleware or Express's.
   */
  all?: boolean;
}

/** The 4xx status an error of another middleware carries (http-errors' `status`/`statusCode`), else undefined. */
function clientErrorStatus(err: unknown): number | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const { status, statusCode } = err as { status?: unknown; statusCode?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  return typeof code === 'number' && Number.isInteger(code) && code >= 400 && code < 500 ? code : undefined;
}

/** What `errorHandler({ all: true })` answers for an error that is not the package's. */
function sendOtherError(res: Response, err: unknown, logger: Logger): void {
  const status = clientErrorStatus(err);
  if (status !== undefined) {
    const exposed = (err as { expose?: unknown }).expose === true && err instanceof Error;
    res.status(status).json({ detail: exposed ? err.message : (STATUS_CODES[status] ?? 'Bad Request') });
    return;
  }
  logger.error(describeError(err));
  sendError(res, new ServerError('unexpected error in the app', err));
}

/** Passport's error for `failWithError: true` when no strategy authenticated the request. */
function isPassportAuthenticationError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AuthenticationError' && (err as { status?: unknown }).status === 401;
}

/**
 * Express error middleware that renders the package's errors (401, 501, 503…)
 * as Simple JWT's JSON bodies and passes every other error on to `next(err)`
 * (the app's own error middleware, else Express's HTML page); with
 * `{ all: true }` it answers those too, as a logged JSON 500. A 500
 * `ServerError` (something unexpected behind a view, a strategy or
 * `jwtAuth()`) is logged with its whole `cause` chain through the `logger`
 * setting and answered `{"detail": "A server error occurred.", "code":
 * "server_error"}`, never with a stack trace. With Passport's
 * `failWithError: true`, a request without credentials is rendered as the
 * 401 `not_authenticated` body too.
 *
 * @example
 * app.get('/api/me/', passport.authenticate('passport-simplejwt', { session: false, failWithError: true }), handler);
 * app.use(errorHandler()); // or errorHandler({ all: true }): every error as JSON
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
    if (options.all) return sendOtherError(res, err, options.logger ?? DEFAULT_LOGGER);
    next(err);
  };
}
