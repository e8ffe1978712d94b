import type { RequestHandler, Router } from 'express';
import { TokenObtainPairSerializer } from '../lib/serializers/token-obtain-pair';
import type { SimpleJWT } from '../lib/simplejwt';
import { tokenViewHandler, tokenViewRouter, type TokenViewOptions, type ViewDefinition } from './view';

const VIEW: ViewDefinition = {
  name: 'Token Obtain Pair',
  signs: true,
  description: 'Checks user credentials and answers with a refresh token and an access token.',
  needsUsers: true,
  settings: ['tokenObtainPairSerializer', 'tokenObtainSerializer'],
  defaultSerializer: TokenObtainPairSerializer,
  cookies: { login: true, writes: true },
};

/**
 * Obtain-pair view (Simple JWT's `TokenObtainPairView`): POST credentials
 * (`{username, password}`, the login field named by `usernameField`) → 200
 * `{refresh, access}`; wrong credentials or an inactive user → 401
 * `no_active_account`. Serializer: `opts.serializerClass`, else the
 * `tokenObtainPairSerializer` setting (or Simple JWT's
 * `tokenObtainSerializer`), else {@link TokenObtainPairSerializer}.
 *
 * @example
 * app.use('/api/token/', tokenObtainPairRouter(sj));
 */
export function tokenObtainPairRouter<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): Router {
  return tokenViewRouter(sj, VIEW, opts);
}

/**
 * The plain handler of {@link tokenObtainPairRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/login/', express.json(), tokenObtainPair(sj));
 */
export function tokenObtainPair<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): RequestHandler {
  return tokenViewHandler(sj, VIEW, opts);
}
