import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import type { Router } from 'express';
import {
  tokenBlacklistRouter,
  tokenFamilyBlacklistRouter,
  tokenObtainPairRouter,
  tokenObtainSlidingRouter,
  tokenRefreshRouter,
  tokenRefreshSlidingRouter,
  tokenVerifyRouter,
  type SimpleJWT,
} from '../../lib';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { appWith, expect400 } from '../helpers/app';

type Factory = (sj: SimpleJWT<TestUser>, opts?: { bodyLimit?: number }) => Router;

/** Every router, with its first field and a body that is valid for it (given a fresh instance). */
const ROUTERS: Array<[string, Factory, string]> = [
  ['tokenObtainPairRouter', tokenObtainPairRouter, 'username'],
  ['tokenRefreshRouter', tokenRefreshRouter, 'refresh'],
  ['tokenObtainSlidingRouter', tokenObtainSlidingRouter, 'username'],
  ['tokenRefreshSlidingRouter', tokenRefreshSlidingRouter, 'token'],
  ['tokenVerifyRouter', tokenVerifyRouter, 'token'],
  ['tokenBlacklistRouter', tokenBlacklistRouter, 'refresh'],
  ['tokenFamilyBlacklistRouter', tokenFamilyBlacklistRouter, 'refresh'],
];

const PATH = '/api/token/';

for (const [name, factory, field] of ROUTERS) {
  describe(`${name}: HTTP contract`, () => {
    const app = () => appWith(factory(makeSJ().sj));

    for (const method of ['get', 'put', 'patch', 'delete'] as const) {
      it(`${method.toUpperCase()}: 405 with Allow: POST, OPTIONS`, async () => {
        const res = await request(app())[method](PATH);
        expect(res.status).to.equal(405);
        expect(res.body).to.deep.equal({ detail: `Method "${method.toUpperCase()}" not allowed.` });
        expect(res.headers.allow).to.equal('POST, OPTIONS');
      });
    }

    it('HEAD: 405 with Allow', async () => {
      const res = await request(app()).head(PATH);
      expect(res.status).to.equal(405);
      expect(res.headers.allow).to.equal('POST, OPTIONS');
    });

    it('OPTIONS: 200 with Allow and the view’s metadata', async () => {
      const res = await request(app()).options(PATH);
      expect(res.status).to.equal(200);
      expect(res.headers.allow).to.equal('POST, OPTIONS');
      expect(res.body).to.include.keys('name', 'description', 'renders', 'parses');
      expect(res.body.parses).to.deep.equal(['application/json', 'application/x-www-form-urlencoded']);
    });

    it('deeper paths fall through to next()', async () => {
      for (const path of [`${PATH}x`, `${PATH}x/`, `${PATH}refresh/`]) {
        const res = await request(app()).post(path).send({});
        expect(res.status, path).to.equal(404);
        expect(res.body).to.deep.equal({ fellThrough: true });
      }
      expect((await request(app()).get(`${PATH}x/`)).status).to.equal(404);
    });

    it('answers without the trailing slash too', async () => {
      const res = await request(app()).post('/api/token').send({});
      expect(res.status).to.equal(400);
      expect(res.body).to.have.property(field);
    });

    it('JSON array body: 400 non_field_errors "Expected a dictionary, but got list."', async () => {
      expect400(
        await request(app())
          .post(PATH)
          .send([{ [field]: 'x' }]),
        { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] },
      );
    });

    it('JSON null body: 400 non_field_errors "No data provided"', async () => {
      expect400(await request(app()).post(PATH).set('Content-Type', 'application/json').send('null'), { non_field_errors: ['No data provided'] });
    });

    it('JSON string and number bodies: 400 with their Python type', async () => {
      expect400(await request(app()).post(PATH).set('Content-Type', 'application/json').send('"x"'), {
        non_field_errors: ['Invalid data. Expected a dictionary, but got str.'],
      });
      expect400(await request(app()).post(PATH).set('Content-Type', 'application/json').send('12'), {
        non_field_errors: ['Invalid data. Expected a dictionary, but got int.'],
      });
    });

    it('malformed JSON: 400 {"detail": "JSON parse error - ..."}, nothing of the body echoed', async () => {
      for (const body of ['{"password": "hunter2', 'hunter2', '{"a": 1,}', '{"a": "x"} trailing']) {
        const res = await request(app()).post(PATH).set('Content-Type', 'application/json').send(body);
        expect(res.status, body).to.equal(400);
        expect(Object.keys(res.body)).to.deep.equal(['detail']);
        expect(res.body.detail).to.match(/^JSON parse error - /);
        expect(res.body.detail).not.to.include('hunter2');
      }
    });

    it('another content type: 415 naming it', async () => {
      const res = await request(app()).post(PATH).set('Content-Type', 'text/plain').send(`${field}=x`);
      expect(res.status).to.equal(415);
      expect(res.body).to.deep.equal({ detail: 'Unsupported media type "text/plain" in request.' });
      const multipart = await request(app()).post(PATH).field(field, 'x');
      expect(multipart.status).to.equal(415);
      expect(multipart.body.detail).to.match(/^Unsupported media type "multipart\/form-data; boundary=.+" in request\.$/);
    });

    it('a body without a content type: 415 ""; no body at all: field errors', async () => {
      const res = await request(app()).post(PATH).set('Content-Length', '3').unset('Content-Type').send(Buffer.from('abc'));
      expect(res.status).to.equal(415);
      expect(res.body).to.deep.equal({ detail: 'Unsupported media type "" in request.' });
      const empty = await request(app()).post(PATH).set('Content-Type', 'text/plain');
      expect(empty.status).to.equal(400);
      expect(empty.body).to.have.property(field);
    });

    it('an unsupported charset or content encoding: 415', async () => {
      const charset = await request(app()).post(PATH).set('Content-Type', 'application/json; charset=iso-8859-1').send('{}');
      expect(charset.status).to.equal(415);
      expect(charset.body).to.deep.equal({ detail: 'Unsupported media type "application/json; charset=iso-8859-1" in request.' });
      const garbled = await request(app()).post(PATH).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send('{}');
      expect(garbled.status).to.equal(400);
      const encoding = await request(app()).post(PATH).set('Content-Type', 'application/json').set('Content-Encoding', 'x-unknown').send('{}');
      expect(encoding.status).to.equal(415);
      expect(encoding.body).to.deep.equal({ detail: 'Unsupported content encoding "x-unknown" in request.' });
    });

    it('a gzip-encoded JSON body is read', async () => {
      const res = await request(app())
        .post(PATH)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .serialize((body: Buffer) => body as unknown as string)
        .send(gzipSync(JSON.stringify({ [field]: ' ' })));
      expect(res.status).to.equal(400);
      expect(res.body[field]).to.deep.equal(['This field may not be blank.']);
    });

    it('a body over the limit: 413 payload_too_large', async () => {
      const res = await request(app())
        .post(PATH)
        .send({ [field]: 'x'.repeat(200 * 1024) });
      expect(res.status).to.equal(413);
      expect(res.body.code).to.equal('payload_too_large');
      expect(res.body.detail).to.be.a('string');
      const form = await request(app())
        .post(PATH)
        .type('form')
        .send(`${field}=${'x'.repeat(200 * 1024)}`);
      expect(form.status).to.equal(413);
    });

    it('bodyLimit sets the limit', async () => {
      const small = appWith(factory(makeSJ().sj, { bodyLimit: 64 }));
      expect(
        (
          await request(small)
            .post(PATH)
            .send({ [field]: 'x'.repeat(100) })
        ).status,
      ).to.equal(413);
      expect(() => factory(makeSJ().sj, { bodyLimit: -1 })).to.throw(TypeError, 'bodyLimit');
    });

    it('urlencoded: a repeated key counts once (the last value, as Django’s QueryDict)', async () => {
      const res = await request(app()).post(PATH).type('form').send(`${field}=&${field}=%20`);
      expect400(res, { ...res.body, [field]: ['This field may not be blank.'] });
    });

    it('a token error carries WWW-Authenticate; a field error does not', async () => {
      const body = field === 'username' ? { username: 'nobody', password: 'x' } : { [field]: 'garbage' };
      const res = await request(app()).post(PATH).send(body);
      expect(res.status).to.equal(401);
      expect(res.headers['www-authenticate']).to.equal('Bearer realm="api"');
      const bad = await request(app()).post(PATH).send({});
      expect(bad.headers['www-authenticate']).to.equal(undefined);
    });
  });
}
