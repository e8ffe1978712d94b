import type { RequestHandler, Router } from 'express';
import { TokenBlacklistSerializer } from '../lib/serializers/token-blacklist';
import type { SimpleJWT } from '../lib/simplejwt';
import { tokenViewHandler, tokenViewRouter, type TokenViewOptions, type ViewDefinition } from './view';

const VIEW: ViewDefinition = {
  name: 'Token Blacklist',
  description: 'Blacklists a refresh token (log out).',
  settings: ['tokenBlacklistSerializer'],
  defaultSerializer: TokenBlacklistSerializer,
  cookies: { reads: { field: 'refresh', from: ['refresh'] } },
};

/**
 * Blacklist view (Simple JWT's `TokenBlacklistView`): POST `{refresh}` → 200
 * `{}`, the token blacklisted (blacklist app on). Serializer:
 * `opts.serializerClass`, else the `tokenBlacklistSerializer` setting, else
 * {@link TokenBlacklistSerializer}.
 *
 * @example
 * app.use('/api/token/blacklist/', tokenBlacklistRouter(sj));
 */
export function tokenBlacklistRouter<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): Router {
  return tokenViewRouter(sj, VIEW, opts);
}

/**
 * The plain handler of {@link tokenBlacklistRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/logout/', express.json(), tokenBlacklist(sj));
 */
export function tokenBlacklist<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): RequestHandler {
  return tokenViewHandler(sj, VIEW, opts);
}
