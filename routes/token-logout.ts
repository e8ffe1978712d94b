import type { RequestHandler, Router } from 'express';
import { TokenLogoutSerializer } from '../lib/serializers/token-logout';
import type { SimpleJWT } from '../lib/simplejwt';
import { tokenViewHandler, tokenViewRouter, type TokenViewOptions, type ViewDefinition } from './view';

const VIEW: ViewDefinition = {
  name: 'Token Logout',
  description: 'Blacklists the refresh token (blacklist app on) and clears the token cookies.',
  settings: [],
  defaultSerializer: TokenLogoutSerializer,
  cookies: { reads: { field: 'refresh', from: ['refresh'] }, clears: true },
};

/**
 * Logout view of cookie mode: POST (the refresh token from its cookie, or
 * `{refresh}`) → 200 `{}`, the refresh token blacklisted (blacklist app on)
 * and every token cookie and the CSRF cookie cleared. Idempotent: no token,
 * or one already invalid or blacklisted, still answers 200 and clears the
 * cookies. With cookies, the CSRF check applies. `tokenRouter(sj, { cookies })`
 * mounts it at `/logout/`. Serializer: `opts.serializerClass`, else
 * {@link TokenLogoutSerializer}.
 *
 * @example
 * app.use('/api/token/logout/', tokenLogoutRouter(sj, { cookies: { refreshPath: '/api/token/' } }));
 */
export function tokenLogoutRouter<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): Router {
  return tokenViewRouter(sj, VIEW, opts);
}

/**
 * The plain handler of {@link tokenLogoutRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/logout/', express.json(), tokenLogout(sj, { cookies: {} }));
 */
export function tokenLogout<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): RequestHandler {
  return tokenViewHandler(sj, VIEW, opts);
}
