/**
 * Issue #25: the cost of the hot path must not grow with the token tables,
 * so no statement the storage issues on it may scan a token table. Every
 * statement the drivers receive on each path (login, refresh with rotation,
 * the access token's checks, logout, family blacklist, sessions, the reuse
 * interval's lookup, blacklisting a user's tokens, the flush commands) is
 * caught at the driver (test/helpers/query-capture.ts) and its plan asked
 * on the database of the run: SQLite (`EXPLAIN QUERY PLAN`: no `SCAN` of a
 * token table), PostgreSQL (`EXPLAIN (FORMAT JSON)` with `enable_seqscan`
 * off: no `Seq Scan` of a token table, and no index scan without an index
 * condition, which is the same full read in index order) and MySQL/MariaDB
 * (`EXPLAIN`: no `type` `ALL` or `index`); nor, on any, a read through an
 * index by `expires_at > now` alone (every live row). A failure names the path, the
 * statement and the plan. Each path must catch at least a given number of
 * distinct statements on the token tables, so a capture that silently
 * catches nothing fails too.
 *
 * Run on the package's own tables and on tables Django's migrations created
 * (then `migrate()`): the indexes the hot path needs must be there either way.
 */
import { expect } from 'chai';
import request from 'supertest';
import type { Sequelize } from 'sequelize';
import { defineModels, flushExpiredFamilies, flushExpiredTokens } from '../../models';
import { createDjangoTables } from '../helpers/django-schema';
import { openTestDatabase, type TestDatabase, type TestDialect } from '../helpers/database';
import { PROTECTED, TOKEN_MOUNT, fullApp } from '../helpers/full-app';
import { captureStatements, explain, type CapturedStatement, type PlanRows } from '../helpers/query-capture';
import { SESSION_TABLE } from '../../models/sessions';

const TOKEN_TABLES = [
  'token_blacklist_outstandingtoken',
  'token_blacklist_blacklistedtoken',
  'token_family_tokenfamily',
  'token_family_blacklistedtokenfamily',
  'passport_simplejwt_tokenrotation',
  SESSION_TABLE,
];

/**
 * Seeded rows per table, over `USERS` users: enough that MariaDB's
 * optimizer (cost-based, no switch to turn full scans off) prefers an index
 * where one serves, as it does on a real table. A flush batch is a small
 * share of them, as on a real table.
 */
const SEED = 2000;
const USERS = 50;
const FLUSH_BATCH = 5;

const SQL_WORDS = new Set(['WHERE', 'ON', 'SET', 'LEFT', 'INNER', 'OUTER', 'JOIN', 'ORDER', 'LIMIT', 'GROUP', 'VALUES', 'SELECT', 'USING', 'AND', 'OR']);

/** The token tables a statement names after FROM/JOIN/UPDATE/INTO, by table name and by alias. */
function tokenNames(sql: string): Map<string, string> {
  const names = new Map<string, string>();
  const pattern = /\b(?:FROM|JOIN|UPDATE|INTO)\s+[`"]?(\w+)[`"]?(?:\s+(?:AS\s+)?[`"]?(\w+)[`"]?)?/gi;
  for (const match of sql.matchAll(pattern)) {
    const table = match[1];
    if (!TOKEN_TABLES.includes(table)) continue;
    names.set(table, table);
    const alias = match[2];
    if (alias !== undefined && !SQL_WORDS.has(alias.toUpperCase())) names.set(alias, table);
  }
  return names;
}

/**
 * What the plan reads whole: a token table scanned, or read through an
 * index by a lower bound on `expires_at` alone, which is every live row (the
 * expired ones are flushed): as costly as a scan on a big table, where the
 * index that should have served (`user_id`, say) would be chosen.
 */
function scans(dialect: TestDialect, plan: PlanRows, names: Map<string, string>, sql: string): string[] {
  const found: string[] = [];
  if (dialect === 'sqlite') {
    for (const row of plan) {
      const detail = String(row.detail);
      const match = /^SCAN (\S+)(?: AS (\S+))?/.exec(detail);
      if (match && (names.has(match[1]) || (match[2] !== undefined && names.has(match[2])))) found.push(detail);
      if (/^SEARCH .* INDEX \S+ \(expires_at>\?\)$/.test(detail)) found.push(`${detail}: every live row`);
    }
  } else if (dialect === 'postgres') {
    // A Bitmap Index Scan names no relation: its Bitmap Heap Scan above it does.
    const visit = (node: Record<string, unknown>, above?: unknown) => {
      const relation = node['Relation Name'] ?? above;
      if (typeof relation === 'string' && TOKEN_TABLES.includes(relation)) {
        const type = String(node['Node Type']);
        if (type === 'Seq Scan') found.push(`Seq Scan on ${relation}`);
        else if (/Index/.test(type) && node['Index Cond'] === undefined) found.push(`${type} on ${relation} without an index condition`);
        else if (/^\(expires_at > [^()]*\)$/.test(String(node['Index Cond']))) found.push(`${type} on ${relation} by expires_at > …: every live row`);
      }
      for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) visit(child, relation);
    };
    const [top] = plan[0]['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }>;
    visit(top.Plan);
  } else {
    for (const row of plan) {
      const table = String(row.table);
      if (!names.has(table) && !TOKEN_TABLES.includes(table)) continue;
      if (row.type === 'ALL' || row.type === 'index') found.push(`${table}: type ${String(row.type)}`);
      else if (/expires_at/.test(String(row.key)) && /expires_at\W*\s*>/.test(sql)) found.push(`${table}: key ${String(row.key)}, every live row`);
    }
  }
  return found;
}

const CONTROL = /^\s*(BEGIN|START|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|PRAGMA|SHOW)\b/i;

/** Whether the statement reads a token table (an INSERT of VALUES reads none: nothing to plan). */
function reads(sql: string): boolean {
  return /^\s*(SELECT|UPDATE|DELETE|WITH)\b/i.test(sql) || (/^\s*INSERT\b/i.test(sql) && /\bSELECT\b/i.test(sql));
}

/** The statement's text with its values' shape only (a batch of 3 and of 4 is one statement). */
function shape(sql: string): string {
  return sql
    .replace(/'[^']*'/g, "'…'")
    .replace(/(\$|\?)\d*|\b\d+\b/g, '?')
    .replace(/(\?, )+\?/g, '?…');
}

interface PathReport {
  captured: number;
  planned: number;
}

async function checkPlans(db: TestDatabase, path: string, statements: CapturedStatement[]): Promise<PathReport> {
  const distinct = new Map<string, CapturedStatement>();
  for (const statement of statements) {
    if (CONTROL.test(statement.sql) || tokenNames(statement.sql).size === 0) continue;
    if (!distinct.has(shape(statement.sql))) distinct.set(shape(statement.sql), statement);
  }
  let planned = 0;
  const failures: string[] = [];
  for (const statement of distinct.values()) {
    if (!reads(statement.sql)) continue;
    planned += 1;
    const plan = await explain(db.sequelize, db.dialect, statement);
    const found = scans(db.dialect, plan, tokenNames(statement.sql), statement.sql);
    if (process.env.QUERY_PLANS_VERBOSE) console.log(`${path}: ${statement.sql}\n  ${JSON.stringify(plan)}`);
    if (found.length > 0) failures.push(`${path}: ${statement.sql}\n    scans ${found.join('; ')}\n    plan ${JSON.stringify(plan)}`);
  }
  expect(failures, `statements that scan a token table on ${db.dialect}:\n${failures.join('\n')}`).to.deep.equal([]);
  return { captured: distinct.size, planned };
}

/** Rows on every token table, some expired, blacklisted, rotated, with sessions: what real tables hold. */
async function seed(sequelize: Sequelize, dialect: TestDialect, django: boolean): Promise<void> {
  const userIds = Array.from({ length: USERS }, (_, i) => String(i + 1));
  // Django's user_id is an integer foreign key to auth_user, which holds users 1 and 2.
  if (django)
    await sequelize.getQueryInterface().bulkInsert(
      'auth_user',
      userIds.slice(2).map((id) => ({ id: Number(id), username: `user-${id}` })),
    );
  const { OutstandingToken, BlacklistedToken, TokenRotation, TokenFamily, BlacklistedTokenFamily } = defineModels(sequelize);
  const at = new Date('2026-01-01T00:00:00Z');
  const past = new Date('2025-06-01T00:00:00Z');
  const future = new Date('2999-01-01T00:00:00Z');
  const tokens = await OutstandingToken.bulkCreate(
    Array.from({ length: SEED }, (_, i) => ({
      jti: `seed-${i}`,
      user_id: userIds[i % userIds.length],
      token: `seed-token-${i}`,
      created_at: at,
      expires_at: i % 20 === 0 ? past : future,
    })),
  );
  const ids = (await OutstandingToken.findAll({ attributes: ['id'], order: [['id', 'ASC']], raw: true })).map((row) => row.id);
  expect(ids.length).to.equal(tokens.length);
  await BlacklistedToken.bulkCreate(ids.filter((_, i) => i % 2 === 0).map((id) => ({ token_id: id, blacklisted_at: at })));
  await TokenRotation.bulkCreate(ids.slice(0, -1).flatMap((id, i) => (i % 2 === 0 ? [{ token_id: id, successor_id: ids[i + 1], rotated_at: at }] : [])));
  await TokenFamily.bulkCreate(
    Array.from({ length: SEED }, (_, i) => ({
      family_id: `seed-family-${i}`,
      user_id: userIds[i % userIds.length],
      created_at: at,
      expires_at: i % 20 === 0 ? past : future,
    })),
  );
  const familyIds = (await TokenFamily.findAll({ attributes: ['id'], order: [['id', 'ASC']], raw: true })).map((row) => row.id);
  await BlacklistedTokenFamily.bulkCreate(familyIds.filter((_, i) => i % 5 === 0).map((id) => ({ family_id: id, blacklisted_at: at })));
  await sequelize.getQueryInterface().bulkInsert(
    SESSION_TABLE,
    familyIds.map((id) => ({ family_id: id, created_at: at, last_used_at: at, user_agent: 'seed', ip: '127.0.0.1' })),
  );
  if (dialect === 'postgres') await sequelize.query(`ANALYZE ${TOKEN_TABLES.join(', ')}`);
  if (dialect === 'mysql') await sequelize.query(`ANALYZE TABLE ${TOKEN_TABLES.join(', ')}`);
}

for (const schema of ['package', 'django'] as const) {
  describe(`query plans of the hot path: no statement scans a token table (#25, ${schema} tables)`, function () {
    this.timeout(60_000);
    let db: TestDatabase;
    let made: ReturnType<typeof fullApp>;
    let login: { access: string; refresh: string };
    let rotated: { access: string; refresh: string };
    const reports = new Map<string, PathReport>();

    before(async () => {
      db = await openTestDatabase({ migrate: schema === 'package' ? undefined : false });
      if (schema === 'django') await createDjangoTables(db);
      made = fullApp(db, { maxSessionsPerUser: 50, refreshTokenReuseInterval: 10 });
      if (schema === 'django') await made.sj.migrate();
      await seed(db.sequelize, db.dialect, schema === 'django');
    });

    after(async () => {
      await db.close();
    });

    /** Runs one path, checks the plans of what it sent, and that it sent at least `least` distinct statements on the token tables, `plannedLeast` of them planned. */
    async function path(name: string, least: number, plannedLeast: number, work: () => Promise<unknown>): Promise<void> {
      const report = await checkPlans(db, name, await captureStatements(work));
      reports.set(name, report);
      expect(report.captured, `${name}: distinct statements on the token tables`).to.be.at.least(least);
      expect(report.planned, `${name}: statements planned`).to.be.at.least(plannedLeast);
    }

    const post = (url: string, body: object) => request(made.app).post(url).set('User-Agent', 'query-plans').send(body);

    it('login: outstanding token, family and session rows, the sessions cap', async () => {
      await path('login', 4, 2, async () => {
        const res = await post(TOKEN_MOUNT, { username: 'alice', password: 'alice-password' });
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        login = res.body as typeof login;
      });
    });

    it('refresh with rotation: the token state, the rotation batch, the session marked used', async () => {
      made.clock.advance(120);
      await path('refresh (rotation)', 6, 3, async () => {
        const res = await post(`${TOKEN_MOUNT}refresh/`, { refresh: login.refresh });
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        rotated = res.body as typeof rotated;
      });
    });

    it('access token: the family check on access, and the token state of a jti, of a family, of both', async () => {
      await path('access-token checks', 1, 1, async () => {
        const res = await request(made.app).get(PROTECTED).set('Authorization', `Bearer ${rotated.access}`);
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        const refresh = new made.sj.RefreshToken(rotated.refresh);
        expect(await made.sj.revocation.isBlacklisted(refresh.jti())).to.equal(false);
        expect(await made.sj.revocation.isFamilyBlacklisted(refresh.getFamilyId()!)).to.equal(false);
        expect((await made.sj.validation.tokenState(refresh)).blacklisted).to.equal(false);
      });
    });

    it('reuse interval: the successor of a rotated token', async () => {
      const jti = new made.sj.RefreshToken(login.refresh).jti();
      await path('successorOf', 3, 3, async () => {
        expect(await made.sj.revocation.successorOf(jti)).to.not.equal(null);
      });
    });

    it('logout: blacklisting a refresh token', async () => {
      await path('blacklist', 2, 1, async () => {
        const res = await post(`${TOKEN_MOUNT}blacklist/`, { refresh: rotated.refresh });
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
      });
    });

    it('sessions: list, revoke (the family blacklisted)', async () => {
      const second = (await post(TOKEN_MOUNT, { username: 'alice', password: 'alice-password' })).body as typeof login;
      const familyId = new made.sj.RefreshToken(second.refresh).getFamilyId()!;
      await path('sessions list and revoke', 3, 2, async () => {
        expect((await made.sj.sessions.list(1)).map((session) => session.id)).to.include(familyId);
        expect(await made.sj.sessions.revoke(1, familyId)).to.equal(true);
      });
    });

    it('reuse of a rotated token: the family blacklisted', async () => {
      await path('family blacklist on reuse', 3, 2, async () => {
        made.clock.advance(60);
        const res = await post(`${TOKEN_MOUNT}refresh/`, { refresh: login.refresh });
        expect(res.status, JSON.stringify(res.body)).to.equal(401);
      });
    });

    it("blacklisting a user's tokens and families", async () => {
      await path('blacklistAllForUser', 2, 2, async () => {
        await made.sj.revocation.blacklistAllForUser(2);
      });
    });

    it('flushexpiredtokens and flushexpiredfamilies: the batch selection and the batched deletes', async () => {
      await path('flush', 6, 6, async () => {
        const now = new Date('2026-01-01T00:00:00Z');
        expect(await flushExpiredTokens(db.sequelize, { now, batchSize: FLUSH_BATCH })).to.be.at.least(SEED / 20);
        expect(await flushExpiredFamilies(db.sequelize, { now, batchSize: FLUSH_BATCH })).to.be.at.least(SEED / 20);
      });
    });

    it('every path was planned', () => {
      expect([...reports.keys()]).to.have.length(9);
      const lines = [...reports].map(([name, report]) => `${name}: ${report.captured} statements, ${report.planned} planned`);
      expect(lines.join('\n')).to.be.a('string');
    });
  });
}
