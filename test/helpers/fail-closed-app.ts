import express from 'express';
import { Passport } from 'passport';
import type { Sequelize } from 'sequelize';
import { JWTStrategy, errorHandler, tokenRouter, type SimpleJWTOptions } from '../../lib';
import { EVERY_STORED_CHECK } from '../helpers/app';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { listen, type TestServer } from '../helpers/server';

/**
 * The app of the fail-closed tests, on the app's own Sequelize: the token
 * endpoints and a GET /me behind JWTStrategy with the family checked on
 * access, so an authenticated request reaches the database too.
 */
export async function failClosedApp(sequelize: Sequelize, options: Partial<SimpleJWTOptions<TestUser>> = {}) {
  const { sj } = makeSJ({
    sequelize,
    ...EVERY_STORED_CHECK,
    ...options,
  });
  const passport = new Passport();
  passport.use(new JWTStrategy(sj));
  const app = express();
  app.use('/api/token/', tokenRouter(sj));
  app.get('/me', passport.authenticate('passport-simplejwt', { session: false }), (req, res) => {
    res.json({ user: req.user });
  });
  app.use(errorHandler());
  const server: TestServer = await listen(app);
  return { sj, server };
}
