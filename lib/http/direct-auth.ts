import type { Request } from 'express';

/**
 * The key under which the package's strategies offer `jwtAuth()` their checks
 * without passport's per-request machinery (issue #25). jwtAuth lives below
 * the strategies and cannot import them: it asks for this key instead.
 */
export const AUTHENTICATE_DIRECT: unique symbol = Symbol('passport-simplejwt.authenticateDirect');

/** Passport's custom-callback answer: an error, or the user and info, or `false` with the challenge and status of a failure. */
export type AuthenticateCallback = (err: unknown, user?: unknown, info?: unknown, status?: number) => void;

/** Runs a strategy's checks on `req` and answers `done` as `passport.authenticate(name, options, done)` would. */
export type DirectAuthenticate = (req: Request, done: AuthenticateCallback) => void;

/** A strategy that can authenticate directly: the function, or null when it cannot (a subclass overrides `authenticate`). */
export interface DirectAuthenticator {
  [AUTHENTICATE_DIRECT](): DirectAuthenticate | null;
}

/** Whether `strategy` is one of the package's, offering the direct path. */
export function isDirectAuthenticator(strategy: unknown): strategy is DirectAuthenticator {
  return typeof strategy === 'object' && strategy !== null && typeof (strategy as Partial<DirectAuthenticator>)[AUTHENTICATE_DIRECT] === 'function';
}
