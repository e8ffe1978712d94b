import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { sendError, toAPIError } from '../lib/http/error-handler';
import { NotAuthenticated, ServerError, challengeFor, withChallenge } from '../lib/errors';
import { asPackageError } from '../lib/storage/fail-closed';
import { storedUserId } from '../lib/services/stored-token';
import type { SimpleJWT } from '../lib/simplejwt';
import type { JWTAuthInfo } from '../lib/strategies/base-strategy';
import { MethodNotAllowed, NotFound } from './http-errors';

/** The methods of each path of {@link sessionsRouter}: its `Allow` headers. */
export const SESSIONS_ALLOWED_METHODS = Object.freeze({ list: 'GET, HEAD, OPTIONS', one: 'DELETE, OPTIONS', revokeOthers: 'POST, OPTIONS' });

/** Lists of sessions must not be cached (they name devices and addresses). */
const NO_STORE = { 'Cache-Control': 'no-store' } as const;

type Handler = (req: Request, res: Response, owner: string, current: string | null) => Promise<void>;

/**
 * The "your devices" endpoints (docs/sessions.md): mount them behind
 * `jwtAuth()` (which authenticates the header or, with a cookie-mode
 * strategy, the access cookie with its CSRF check). Only the authenticated
 * user's own sessions are ever read or revoked; `current` marks the session
 * of the presented token.
 *
 * - `GET /` → 200, the sessions, most recently used first;
 * - `DELETE /<id>/` → 204, that session logged out; 404 `{"detail": "Not
 *   found.", "code": "not_found"}` for an id that is not a live session of
 *   the caller (another user's, unknown, malformed, already revoked);
 * - `POST /revoke-others/` → 200 `{"revoked": n}`, every other session logged out;
 * - no authenticated token → 401 `not_authenticated`; another method → 405.
 *
 * Throws a `TypeError` at once when token families are off.
 *
 * @example
 * app.use('/api/sessions/', jwtAuth(), sessionsRouter(sj));
 */
export function sessionsRouter<U>(sj: SimpleJWT<U>): Router {
  if (!sj.sessions.enabled) {
    throw new TypeError("passport-simplejwt: sessionsRouter needs token families ('tokenFamilyEnabled: true', 'apps: { tokenFamily: true }')");
  }
  const challenge = challengeFor(sj.settings.authHeaderTypes);
  const { userIdClaim } = sj.settings;

  const handle =
    (allow: string, handler: Handler): RequestHandler =>
    (req: Request, res: Response, next: NextFunction) => {
      res.set('Allow', allow);
      const fail = (err: unknown): void => {
        const error = asPackageError(err, sj.logger);
        if (error instanceof ServerError) return next(error);
        sendError(res, withChallenge(toAPIError(error), challenge));
      };
      // The token jwtAuth() validated: the user's id and the current session come from it, never from the request.
      const token = (req.authInfo as Partial<JWTAuthInfo> | undefined)?.token;
      const owner = token ? storedUserId(token.get(userIdClaim)) : null;
      if (!token || owner === null) return fail(new NotAuthenticated());
      handler(req, res, owner, token.getFamilyId()).catch(fail);
    };

  const methodNotAllowed =
    (allow: string): RequestHandler =>
    (req, res) => {
      if (req.method === 'OPTIONS') {
        res.set('Allow', allow).status(200).end();
        return;
      }
      sendError(res, new MethodNotAllowed(req.method, allow));
    };

  const router = Router();
  router.get(
    '/',
    handle(SESSIONS_ALLOWED_METHODS.list, async (_req, res, owner, current) => {
      res
        .status(200)
        .set(NO_STORE)
        .json(await sj.sessions.list(owner, current));
    }),
  );
  router.all('/', methodNotAllowed(SESSIONS_ALLOWED_METHODS.list));
  router.post(
    '/revoke-others/',
    handle(SESSIONS_ALLOWED_METHODS.revokeOthers, async (_req, res, owner, current) => {
      res
        .status(200)
        .set(NO_STORE)
        .json({ revoked: await sj.sessions.revokeOthers(owner, current) });
    }),
  );
  router.all('/revoke-others/', methodNotAllowed(SESSIONS_ALLOWED_METHODS.revokeOthers));
  router.delete(
    '/:id/',
    handle(SESSIONS_ALLOWED_METHODS.one, async (req, res, owner) => {
      const id = req.params.id;
      if (typeof id !== 'string' || !(await sj.sessions.revoke(owner, id))) throw new NotFound();
      res.status(204).end();
    }),
  );
  router.all('/:id/', methodNotAllowed(SESSIONS_ALLOWED_METHODS.one));
  return router;
}
