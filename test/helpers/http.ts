import express, { type Express } from 'express';
import { Passport } from 'passport';
import type { Strategy } from 'passport';
import { errorHandler, jwtAuth, type JWTAuthInfo } from '../../lib';

/** How a test app guards its route. */
export type GuardMode = 'authenticate' | 'jwtAuth' | 'jwtAuthOptional';

/**
 * An Express app with one protected `GET /me` answering the user and the
 * validated token's type, behind `passport.authenticate` + `errorHandler()`
 * or `jwtAuth()`. Each call has its own Passport, so tests never share one.
 */
export function appWith(strategy: Strategy & { name: string }, mode: GuardMode = 'authenticate'): Express {
  const passport = new Passport();
  passport.use(strategy);
  const app = express();
  const guard =
    mode === 'authenticate'
      ? passport.authenticate(strategy.name, { session: false })
      : jwtAuth(strategy.name, { passport, optional: mode === 'jwtAuthOptional' });
  app.get('/me', guard, (req, res) => {
    const info = req.authInfo as JWTAuthInfo | undefined;
    res.json({ user: req.user ?? null, tokenType: info?.token?.get('token_type') ?? null });
  });
  app.use(errorHandler());
  return app;
}

/** A JWT with the given header and payload objects and a fake signature: for `alg: none` and garbage. */
export function rawJwt(header: unknown, payload: unknown, signature = ''): string {
  const part = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
  return `${part(header)}.${part(payload)}.${signature}`;
}
