import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { TestServer } from '../helpers/server';

/** The deadline the storageTimeout tests set, and what a 503 may take beyond it (SPEC 8). */
export const DEADLINE_MS = 1000;
export const SLACK_MS = 500;

/** The refresh tokens of several clients refresh concurrently: each answers 503 within the deadline. */
export async function expectAll503InTime(server: TestServer, pairs: Array<{ refresh: string }>): Promise<void> {
  const answers = await Promise.all(pairs.map(({ refresh }) => server.post('/api/token/refresh/', { refresh })));
  for (const res of answers) {
    expect(res.status, JSON.stringify(res.body)).to.equal(503);
    expect(res.body.code).to.equal('service_unavailable');
    expect(res.ms, `answered in ${Math.round(res.ms)} ms`).to.be.at.most(DEADLINE_MS + SLACK_MS);
  }
}

async function count(sequelize: Sequelize, table: string): Promise<number> {
  const row = await sequelize.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`, { plain: true, raw: true, type: QueryTypes.SELECT });
  return Number(row!.n);
}

/** Nothing committed behind the 503s: no rotation, no token consumed, no family blacklisted by the outage. */
export async function expectNothingCommitted(sequelize: Sequelize): Promise<void> {
  expect(await count(sequelize, 'passport_simplejwt_tokenrotation'), 'rotations committed behind a 503').to.equal(0);
  expect(await count(sequelize, 'token_blacklist_blacklistedtoken'), 'tokens consumed behind a 503').to.equal(0);
  expect(await count(sequelize, 'token_family_blacklistedtokenfamily'), 'families killed by the outage').to.equal(0);
}

/**
 * Recovery without restart: every client's token is still good and rotates
 * now, its access token works. A request may still meet a connection the
 * pool has not yet found dead (503, never a pass): up to `tries` per token.
 */
export async function expectRecovered(server: TestServer, sequelize: Sequelize, pairs: Array<{ refresh: string; access: string }>, tries = 1): Promise<void> {
  for (const { refresh, access } of pairs) {
    let res = await server.post('/api/token/refresh/', { refresh });
    for (let attempt = 1; res.status === 503 && attempt < tries; attempt++) res = await server.post('/api/token/refresh/', { refresh });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.refresh).to.be.a('string');
    expect((await server.get('/me', { authorization: `Bearer ${access}` })).status).to.equal(200);
  }
  expect(await count(sequelize, 'passport_simplejwt_tokenrotation')).to.equal(pairs.length);
}
