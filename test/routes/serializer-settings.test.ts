import { expect } from 'chai';
import request from 'supertest';
import {
  TokenBlacklistSerializer,
  TokenFamilyBlacklistSerializer,
  TokenObtainPairSerializer,
  TokenObtainSlidingSerializer,
  TokenRefreshSerializer,
  TokenRefreshSlidingSerializer,
  TokenVerifySerializer,
  tokenRouter,
  type SimpleJWT,
} from '../../lib';
import type { SerializerSetting } from '../../routes/view';
import { useTestDatabase } from '../helpers/database';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { appWith, pairFor } from '../helpers/app';

/** A subclass of `Base` whose answers say which setting installed it. */
function stamped<B extends abstract new (...args: never[]) => { validate(data: unknown): Promise<object> }>(Base: B, setting: string): B {
  // @ts-expect-error a mixin over the serializer's constructor
  return class extends Base {
    override async validate(data: unknown) {
      return { ...(await super.validate(data)), via: setting };
    }
  };
}

/** Each serializer setting: the default it replaces, the path `tokenRouter` mounts it on, a valid body. */
const CASES: ReadonlyArray<{ setting: SerializerSetting; base: unknown; path: string; body: (sj: SimpleJWT<TestUser>) => Promise<object> }> = [
  {
    setting: 'tokenObtainSerializer',
    base: TokenObtainPairSerializer,
    path: '/api/token/',
    body: async () => ({ username: 'alice', password: 'alice-password' }),
  },
  {
    setting: 'tokenObtainPairSerializer',
    base: TokenObtainPairSerializer,
    path: '/api/token/',
    body: async () => ({ username: 'alice', password: 'alice-password' }),
  },
  {
    setting: 'tokenObtainSlidingSerializer',
    base: TokenObtainSlidingSerializer,
    path: '/api/token/sliding/',
    body: async () => ({ username: 'alice', password: 'alice-password' }),
  },
  {
    setting: 'tokenRefreshSerializer',
    base: TokenRefreshSerializer,
    path: '/api/token/refresh/',
    body: async (sj) => ({ refresh: (await pairFor(sj)).refresh }),
  },
  {
    setting: 'tokenRefreshSlidingSerializer',
    base: TokenRefreshSlidingSerializer,
    path: '/api/token/sliding/refresh/',
    body: async (sj) => ({ token: String(await sj.SlidingToken.forUser({ id: 1 })) }),
  },
  { setting: 'tokenVerifySerializer', base: TokenVerifySerializer, path: '/api/token/verify/', body: async (sj) => ({ token: (await pairFor(sj)).access }) },
  {
    setting: 'tokenBlacklistSerializer',
    base: TokenBlacklistSerializer,
    path: '/api/token/blacklist/',
    body: async (sj) => ({ refresh: (await pairFor(sj)).refresh }),
  },
  {
    setting: 'tokenFamilyBlacklistSerializer',
    base: TokenFamilyBlacklistSerializer,
    path: '/api/token/family/blacklist/',
    body: async (sj) => ({ refresh: (await pairFor(sj)).refresh }),
  },
];

describe('tokenRouter: every serializer setting is the class its view runs', () => {
  const openDatabase = useTestDatabase();

  for (const { setting, base, path, body } of CASES) {
    it(`${setting}: a custom class set in the settings answers ${path}`, async () => {
      const db = await openDatabase();
      const Custom = stamped(base as typeof TokenVerifySerializer, setting);
      const { sj } = makeSJ({
        sequelize: db.sequelize,
        apps: { blacklist: true, tokenFamily: true },
        tokenFamilyEnabled: true,
        [setting]: Custom,
      });
      const app = appWith(tokenRouter(sj, { sliding: true }));
      const res = await request(app)
        .post(path)
        .send(await body(sj));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.via).to.equal(setting);
      // The other views keep their defaults.
      const verify = await request(app)
        .post('/api/token/verify/')
        .send({ token: (await pairFor(sj)).access });
      expect(verify.body.via).to.equal(setting === 'tokenVerifySerializer' ? setting : undefined);
    });
  }
});
