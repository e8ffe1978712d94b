import { expect } from 'chai';
import express, { type Router } from 'express';
import type { Response } from 'supertest';
import { TokenObtainPairSerializer, type SimpleJWT } from '../../lib';

/** Both apps on, rotation with the old token blacklisted after it, token families (needs `sequelize`). */
const ROTATION_WITH_FAMILIES = {
  apps: { blacklist: true, tokenFamily: true },
  rotateRefreshTokens: true,
  blacklistAfterRotation: true,
  tokenFamilyEnabled: true,
} as const;

/** Rotation and families with reuse detection: a production setup (needs `sequelize`). */
export const ROTATING_FAMILY_OPTIONS = { ...ROTATION_WITH_FAMILIES, tokenFamilyBlacklistOnReuse: true } as const;

/**
 * Every stored check on: rotation and families, the family checked on access
 * too (the fail-closed, sessions and capacity apps).
 */
export const EVERY_STORED_CHECK = { ...ROTATION_WITH_FAMILIES, tokenFamilyCheckOnAccess: true } as const;

/** An Express app with `router` mounted where Simple JWT's urls.py customarily puts it, and a JSON 404 after it. */
export function appWith(router: Router, mount = '/api/token/') {
  const app = express();
  app.use(mount, router);
  app.use((_req, res) => {
    res.status(404).json({ fellThrough: true });
  });
  return app;
}

/** A refresh/access pair for a user of the fixtures, minted by the default serializer. */
export async function pairFor<U>(sj: SimpleJWT<U>, username = 'alice', password = `${username}-password`): Promise<{ refresh: string; access: string }> {
  return new TokenObtainPairSerializer(sj).validate({ username, password });
}

/** Asserts a 401 of the views: body and `WWW-Authenticate`. */
export function expect401(res: Response, detail: string, code = 'token_not_valid'): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(401);
  expect(res.body).to.deep.equal({ detail, code });
  expect(res.headers['www-authenticate']).to.equal('Bearer realm="api"');
}

/** Asserts a 400 field-error body. */
export function expect400(res: Response, body: Record<string, unknown>): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(400);
  expect(res.body).to.deep.equal(body);
}
