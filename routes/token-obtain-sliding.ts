import type { RequestHandler, Router } from 'express';
import { TokenObtainSlidingSerializer } from '../lib/serializers/token-obtain-sliding';
import type { SimpleJWT } from '../lib/simplejwt';
import { tokenViewHandler, tokenViewRouter, type TokenViewOptions, type ViewDefinition } from './view';

const VIEW: ViewDefinition = {
  name: 'Token Obtain Sliding',
  signs: true,
  description: 'Checks user credentials and answers with a sliding token.',
  needsUsers: true,
  settings: ['tokenObtainSlidingSerializer'],
  defaultSerializer: TokenObtainSlidingSerializer,
  cookies: { login: true, writes: true },
};

/**
 * Sliding obtain view (Simple JWT's `TokenObtainSlidingView`): POST
 * credentials → 200 `{token}`. Serializer: `opts.serializerClass`, else the
 * `tokenObtainSlidingSerializer` setting, else {@link
 * TokenObtainSlidingSerializer}.
 *
 * @example
 * app.use('/api/token/sliding/', tokenObtainSlidingRouter(sj));
 */
export function tokenObtainSlidingRouter<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): Router {
  return tokenViewRouter(sj, VIEW, opts);
}

/**
 * The plain handler of {@link tokenObtainSlidingRouter}, for an app that routes and parses
 * bodies itself (no body → `{}`).
 *
 * @example
 * app.post('/api/login/', express.json(), tokenObtainSliding(sj));
 */
export function tokenObtainSliding<U>(sj: SimpleJWT<U>, opts: TokenViewOptions<NoInfer<U>> = {}): RequestHandler {
  return tokenViewHandler(sj, VIEW, opts);
}
