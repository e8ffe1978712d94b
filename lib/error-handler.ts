import type { ErrorRequestHandler, Response } from 'express';
import { APIError, InvalidToken, SimpleJWTError, TokenBackendError, TokenError } from './errors';

/** The status, headers and JSON body a package error answers with. */
export function renderError(err: SimpleJWTError): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  if (err instanceof APIError) return { status: err.status, headers: err.headers, body: err.toJSON() };
  // Token and backend errors reach HTTP as InvalidToken with their message.
  const invalid = new InvalidToken(err instanceof TokenError || err instanceof TokenBackendError ? err.message : undefined);
  return { status: invalid.status, headers: invalid.headers, body: invalid.toJSON() };
}

/** Writes a package error as its JSON response. */
export function sendError(res: Response, err: SimpleJWTError): void {
  const { status, headers, body } = renderError(err);
  res.status(status).set(headers).json(body);
}

/**
 * Express error middleware that renders the package's errors (401, 501, 503…)
 * as Simple JWT's JSON bodies and passes every other error on.
 *
 * @example
 * app.get('/api/me/', passport.authenticate('passport-simplejwt', { session: false }), handler);
 * app.use(errorHandler());
 */
export function errorHandler(): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (!(err instanceof SimpleJWTError) || res.headersSent) return next(err);
    sendError(res, err);
  };
}
