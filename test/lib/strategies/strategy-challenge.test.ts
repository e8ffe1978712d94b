import { expect } from 'chai';
import express from 'express';
import Passport from 'passport';
import request from 'supertest';
import { JWTStrategy, errorHandler, jwtAuth, tokenRouter } from '../../../lib';
import { makeSJ } from '../../helpers/fixtures';

// Simple JWT announces the first of AUTH_HEADER_TYPES: `JWT realm="api"` for an app configured with ['JWT'].
describe('WWW-Authenticate names the first configured scheme', () => {
  function app(authHeaderTypes: string[]) {
    const { sj } = makeSJ({ authHeaderTypes });
    const passport = new Passport.Authenticator();
    passport.use(new JWTStrategy(sj));
    const server = express();
    server.use('/api/token/', tokenRouter(sj));
    server.get('/guarded', jwtAuth('passport-simplejwt', { passport }), (_req, res) => {
      res.json({});
    });
    server.get('/plain', passport.authenticate('passport-simplejwt', { session: false, failWithError: true }), (_req, res) => {
      res.json({});
    });
    server.use(errorHandler());
    return server;
  }

  for (const [types, challenge] of [
    [['Bearer'], 'Bearer realm="api"'],
    [['JWT', 'Bearer'], 'JWT realm="api"'],
  ] as const) {
    it(`${types.join(', ')}: every 401 carries '${challenge}'`, async () => {
      const server = app([...types]);
      const answers = [
        await request(server).get('/guarded'),
        await request(server).get('/guarded').set('Authorization', `${types[0]} not.a.token`),
        await request(server).get('/guarded').set('Authorization', `${types[0]} a b`),
        await request(server).get('/plain'),
        await request(server).get('/plain').set('Authorization', `${types[0]} not.a.token`),
        await request(server).post('/api/token/refresh/').send({ refresh: 'not.a.token' }),
        await request(server).post('/api/token/').send({ username: 'alice', password: 'wrong' }),
      ];
      for (const res of answers) {
        expect(res.status, JSON.stringify(res.body)).to.equal(401);
        expect(res.headers['www-authenticate'], `answer ${answers.indexOf(res)}`).to.equal(challenge);
      }
    });
  }
});
