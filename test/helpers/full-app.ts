import express from 'express';
import jwt from 'jsonwebtoken';
import Passport from 'passport';
import { JWTStrategy, errorHandler, jwtAuth, tokenRouter, type SimpleJWTOptions } from '../../lib';
import type { TestDatabase } from './database';
import { SECRET, makeSJ, type TestUser } from './fixtures';

/** Where {@link fullApp} mounts the token endpoints and its protected route. */
export const TOKEN_MOUNT = '/api/token/';
export const PROTECTED = '/api/me/';

/**
 * Every endpoint with everything on (blacklist and family apps on `db`,
 * rotation, family checks on access, sliding tokens), plus a protected route
 * behind JWTStrategy: the app hostile tokens are thrown at.
 */
export function fullApp(db: TestDatabase, options: Partial<SimpleJWTOptions<TestUser>> = {}) {
  const made = makeSJ({
    sequelize: db.sequelize,
    apps: { blacklist: true, tokenFamily: true },
    authTokenClasses: ['AccessToken', 'SlidingToken'],
    rotateRefreshTokens: true,
    blacklistAfterRotation: true,
    tokenFamilyEnabled: true,
    tokenFamilyCheckOnAccess: true,
    tokenFamilyBlacklistOnReuse: true,
    ...options,
  });
  const passport = new Passport.Authenticator();
  passport.use(new JWTStrategy(made.sj));
  const app = express();
  app.use(TOKEN_MOUNT, tokenRouter(made.sj));
  app.get(PROTECTED, jwtAuth('passport-simplejwt', { passport }), (req, res) => {
    res.json({ id: (req.user as TestUser).id });
  });
  app.use(errorHandler());
  return { ...made, app };
}

/**
 * Signs `claims` exactly as given (a null-prototype object keeps names such
 * as `__proto__` as claims) with the tests' key, and `header` merged into
 * the JOSE header: what only the key holder can make.
 */
export function signRaw(claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  return jwt.sign(JSON.stringify(claims), SECRET, { algorithm: 'HS256', header: { alg: 'HS256', typ: 'JWT', ...header } as jwt.JwtHeader });
}

/** Claims of a valid token of `type` for user 1 at `now`, in the family `familyId`, with id `jti`. */
export function validClaims(type: 'access' | 'refresh' | 'sliding', now: Date, jti: string, familyId = 'f'.repeat(32)): Record<string, unknown> {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: Record<string, unknown> = Object.create(null);
  Object.assign(claims, { token_type: type, exp: iat + 300, iat, jti, user_id: '1', family_id: familyId, family_exp: iat + 86400 });
  if (type === 'sliding') claims.refresh_exp = iat + 86400;
  return claims;
}
