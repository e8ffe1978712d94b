import type { RequestHandler, Router } from 'express';
import { TokenRefreshSerializer } from '../lib/serializers/token-refresh';
import type { SimpleJWT } from '../lib/simplejwt';
import { tokenViewHandler, tokenViewRouter, type TokenViewOptions, type ViewDefinition } from './view';

const VIEW: ViewDefinition = {
  name: 'Token Refresh',
  signs: true,
  description: 'Exchanges a valid refresh token for a new access token (and, with rotation, a new refresh token).',
  settings: ['tokenRefreshSerializer'],
  defaultSerializer: TokenRefreshSerializer,
  cookies: { reads: { field: 'refresh', from: ['refresh'] }, writes: true },
};

/**
 * Refresh view (Simple JWT's `TokenRefreshView`): POST `{refresh}` → 200
 * `{access}`, plus `refresh` with `rotateRefreshTokens`. Serializer:
 * `opts.serializerClass`, else the `tokenRefreshSerializer` setting, else
 * {@link TokenRefreshSerializer}.
 *
 * @example
 * app.use('/api/token/refresh/', tokenRefreshRouter(sj));
 */
export function tokenRefreshRouter<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): Router {
  return tokenViewRouter(sj, VIEW, opts);
}

/**
 * The plain handler of {@link tokenRefreshRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/refresh/', express.json(), tokenRefresh(sj));
 */
export function tokenRefresh<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): RequestHandler {
  return tokenViewHandler(sj, VIEW, opts);
}
