/**
 * The user check at a renewal (`renewalUser()`, POST /refresh/): a refresh
 * token that carries no user id (absent, null or '') is renewed without
 * asking the user store, as in Simple JWT; one that carries an unknown id
 * is refused.
 */
import { expect } from 'chai';
import request from 'supertest';
import { tokenRefreshRouter } from '../../../lib';
import { makeSJ } from '../../helpers/fixtures';
import { appWith } from '../../helpers/app';

const PATH = '/api/token/refresh/';

describe('refresh: the user check skipped for a token without a user id', () => {
  it("a refresh token with no user id, a null one or '' is renewed; an unknown id is refused", async () => {
    const { sj, users } = makeSJ();
    const app = appWith(tokenRefreshRouter(sj), PATH);
    const asked: string[] = [];
    const findById = users.findById.bind(users);
    users.findById = async (id: string) => {
      asked.push(id);
      return findById(id);
    };
    for (const userId of [undefined, null, '']) {
      const token = new sj.RefreshToken();
      if (userId !== undefined) token.set('user_id', userId);
      const answer = await request(app).post(PATH).send({ refresh: token.toString() });
      expect(answer.status, `${JSON.stringify(userId)}: ${JSON.stringify(answer.body)}`).to.equal(200);
    }
    expect(asked, 'the user store was not asked').to.deep.equal([]);
    const unknown = new sj.RefreshToken();
    unknown.set('user_id', 999);
    expect((await request(app).post(PATH).send({ refresh: unknown.toString() })).status).to.equal(401);
    expect(asked).to.deep.equal(['999']);
  });
});
