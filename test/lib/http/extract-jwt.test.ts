import { expect } from 'chai';
import express from 'express';
import { Passport } from 'passport';
import request from 'supertest';
import { ExtractJwt, JWTStrategy, errorHandler, jwtAuth, type JwtFromRequest } from '../../../lib';
import { makeSJ } from '../../helpers/fixtures';

/** An app whose strategy takes the token from `extractor`, answering the user's id. */
async function appWithExtractor(extractor: JwtFromRequest) {
  const fixture = makeSJ();
  const raw = String(await fixture.sj.AccessToken.forUser(fixture.users.users.get('1')!));
  const passport = new Passport();
  passport.use(new JWTStrategy(fixture.sj, { jwtFromRequest: extractor }));
  const app = express();
  app.use(express.json());
  app.post('/me', jwtAuth('passport-simplejwt', { passport }), (req, res) => res.json({ id: (req.user as { id: number }).id }));
  app.use(errorHandler());
  return { app, raw };
}

describe('ExtractJwt: an extractor that finds nothing answers null, so fromExtractors tries the next one', () => {
  it('a body field that is not a string (a number, an object) or is empty: the next extractor is asked', async () => {
    const { app, raw } = await appWithExtractor(ExtractJwt.fromExtractors([ExtractJwt.fromBodyField('token'), ExtractJwt.fromAuthHeaderAsBearerToken()]));
    for (const token of [5, { raw }, '', true]) {
      const res = await request(app).post('/me').set('Authorization', `Bearer ${raw}`).send({ token });
      expect(res.status, JSON.stringify(token)).to.equal(200);
      expect(res.body).to.deep.equal({ id: 1 });
    }
  });

  it('an empty header or an empty query parameter: the next extractor is asked', async () => {
    const { app, raw } = await appWithExtractor(
      ExtractJwt.fromExtractors([ExtractJwt.fromHeader('X-Api-Token'), ExtractJwt.fromUrlQueryParameter('token'), ExtractJwt.fromBodyField('token')]),
    );
    const res = await request(app).post('/me?token=').set('X-Api-Token', '').send({ token: raw });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.equal({ id: 1 });
  });

  it('called directly on a request: null, never undefined or an empty string', async () => {
    const extractors = [
      ExtractJwt.fromHeader('X-Api-Token'),
      ExtractJwt.fromBodyField('token'),
      ExtractJwt.fromUrlQueryParameter('token'),
      ExtractJwt.fromAuthHeaderAsBearerToken(),
      ExtractJwt.fromCookie('access'),
    ];
    const app = express();
    app.use(express.json());
    app.post('/', (req, res) => res.json({ found: extractors.map((extract) => (extract(req) === null ? 'null' : typeof extract(req))) }));
    const empty = await request(app).post('/?token=').set('X-Api-Token', '').send({ token: 7 });
    expect(empty.body).to.deep.equal({ found: ['null', 'null', 'null', 'null', 'null'] });
    const none = await request(app).post('/').send({});
    expect(none.body).to.deep.equal({ found: ['null', 'null', 'null', 'null', 'null'] });
  });
});
