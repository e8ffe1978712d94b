import { Router } from 'express';
import type { SimpleJWT } from '../lib/simplejwt';

/** The path `jwksRouter` serves the key set at by default (RFC 8414's well-known name). */
export const DEFAULT_JWKS_PATH = '/.well-known/jwks.json';
/** Seconds clients may cache the key set by default (`Cache-Control: public, max-age=300`). */
export const DEFAULT_JWKS_MAX_AGE = 300;

/** Options of {@link jwksRouter}. */
export interface JwksRouterOptions {
  /** Where the key set is served, relative to the router's mount point. Default `'/.well-known/jwks.json'`. */
  path?: string;
  /** Seconds a client may cache the set (`Cache-Control: public, max-age=…`); keep it well under a rotation's grace period. Default `300`. */
  maxAge?: number;
}

/**
 * Publishes the instance's public keys as a JSON Web Key Set (RFC 7517):
 * the public halves of the signing key and of every verifying key, each with
 * `kty`, `kid` (when the key has one), `alg`, `use: "sig"` and `n`/`e` or
 * `crv`/`x`/`y`; never a private member. Another service verifies our tokens
 * with it: this package's `jwkUrl`, Django Simple JWT's `JWK_URL`, jose's
 * `createRemoteJWKSet`. Keys changed by `sj.setKeys()` are served at once.
 * Throws a `TypeError` when built for an HS* instance (a secret has no public
 * half) or with a bad option.
 *
 * @example
 * const sj = new SimpleJWT({ algorithm: 'RS256', signingKey: { kid: '2026-12', key: privatePem }, users });
 * app.use(jwksRouter(sj)); // GET /.well-known/jwks.json
 */
export function jwksRouter<U>(sj: SimpleJWT<U>, options: JwksRouterOptions = {}): Router {
  const { path = DEFAULT_JWKS_PATH, maxAge = DEFAULT_JWKS_MAX_AGE } = options;
  if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError("passport-simplejwt: jwksRouter's 'path' must be a string starting with '/'");
  if (!Number.isSafeInteger(maxAge) || maxAge < 0)
    throw new TypeError("passport-simplejwt: jwksRouter's 'maxAge' must be a whole number of seconds, 0 or more");
  sj.backend.publicKeySet(); // throws for HS*, when the app is built rather than at the first request
  const cacheControl = `public, max-age=${maxAge}`;
  const router = Router();
  router.get(path, (_req, res) => {
    res.set('Cache-Control', cacheControl).json(sj.backend.publicKeySet());
  });
  return router;
}
