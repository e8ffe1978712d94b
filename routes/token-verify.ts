import type { RequestHandler, Router } from 'express';
import { TokenVerifySerializer } from '../lib/serializers/token-verify';
import type { SimpleJWT } from '../lib/simplejwt';
import { tokenViewHandler, tokenViewRouter, type TokenViewOptions, type ViewDefinition } from './view';

const VIEW: ViewDefinition = {
  name: 'Token Verify',
  description: 'Tells whether a token is valid; says nothing about what it may be used for.',
  settings: ['tokenVerifySerializer'],
  defaultSerializer: TokenVerifySerializer,
  cookies: { reads: { field: 'token', from: ['access', 'sliding'] } },
};

/**
 * Verify view (Simple JWT's `TokenVerifyView`): POST `{token}` (any token
 * type) → 200 `{}` when valid; 401 when not; 400 `non_field_errors` for a
 * blacklisted refresh token (blacklist app on). Serializer:
 * `opts.serializerClass`, else the `tokenVerifySerializer` setting, else
 * {@link TokenVerifySerializer}.
 *
 * @example
 * app.use('/api/token/verify/', tokenVerifyRouter(sj));
 */
export function tokenVerifyRouter<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): Router {
  return tokenViewRouter(sj, VIEW, opts);
}

/**
 * The plain handler of {@link tokenVerifyRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/verify/', express.json(), tokenVerify(sj));
 */
export function tokenVerify<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): RequestHandler {
  return tokenViewHandler(sj, VIEW, opts);
}
