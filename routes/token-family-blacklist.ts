import type { RequestHandler, Router } from 'express';
import { TokenFamilyBlacklistSerializer } from '../lib/serializers/token-family-blacklist';
import type { SimpleJWT } from '../lib/simplejwt';
import { tokenViewHandler, tokenViewRouter, type TokenViewOptions, type ViewDefinition } from './view';

const VIEW: ViewDefinition = {
  name: 'Token Family Blacklist',
  description: 'Blacklists the whole family of a refresh token (every rotation of one login).',
  settings: ['tokenFamilyBlacklistSerializer'],
  defaultSerializer: TokenFamilyBlacklistSerializer,
  cookies: { reads: { field: 'refresh', from: ['refresh'] } },
};

/**
 * Family blacklist view (the token-family extension's
 * `TokenFamilyBlacklistView`): POST `{refresh}` → 200 `{"message": "Token
 * Family blacklisted"}`; 501 when token families are off; 400 for a token
 * without `family_id`. Serializer: `opts.serializerClass`, else the
 * `tokenFamilyBlacklistSerializer` setting, else {@link
 * TokenFamilyBlacklistSerializer}.
 *
 * @example
 * app.use('/api/token/family/blacklist/', tokenFamilyBlacklistRouter(sj));
 */
export function tokenFamilyBlacklistRouter<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): Router {
  return tokenViewRouter(sj, VIEW, opts);
}

/**
 * The plain handler of {@link tokenFamilyBlacklistRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/logout-everywhere/', express.json(), tokenFamilyBlacklist(sj));
 */
export function tokenFamilyBlacklist<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): RequestHandler {
  return tokenViewHandler(sj, VIEW, opts);
}
