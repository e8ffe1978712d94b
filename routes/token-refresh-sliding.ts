import type { RequestHandler, Router } from 'express';
import { TokenRefreshSlidingSerializer } from '../lib/serializers/token-refresh-sliding';
import type { SimpleJWT } from '../lib/simplejwt';
import { tokenViewHandler, tokenViewRouter, type TokenViewOptions, type ViewDefinition } from './view';

const VIEW: ViewDefinition = {
  name: 'Token Refresh Sliding',
  signs: true,
  description: 'Renews the expiry of a sliding token while its refresh period lasts.',
  settings: ['tokenRefreshSlidingSerializer'],
  defaultSerializer: TokenRefreshSlidingSerializer,
  cookies: { reads: { field: 'token', from: ['sliding'] }, writes: true },
};

/**
 * Sliding refresh view (Simple JWT's `TokenRefreshSlidingView`): POST
 * `{token}` → 200 `{token}` with a new `exp`, until the token's `refresh_exp`.
 * Serializer: `opts.serializerClass`, else the `tokenRefreshSlidingSerializer`
 * setting, else {@link TokenRefreshSlidingSerializer}.
 *
 * @example
 * app.use('/api/token/sliding/refresh/', tokenRefreshSlidingRouter(sj));
 */
export function tokenRefreshSlidingRouter<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): Router {
  return tokenViewRouter(sj, VIEW, opts);
}

/**
 * The plain handler of {@link tokenRefreshSlidingRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/refresh/', express.json(), tokenRefreshSliding(sj));
 */
export function tokenRefreshSliding<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): RequestHandler {
  return tokenViewHandler(sj, VIEW, opts);
}
